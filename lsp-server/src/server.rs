//! The language server: tower-lsp handlers over runtime-core's rules. Handlers stay thin:
//! documents, checking, conversion and features live in their own modules.

use std::path::PathBuf;
use std::sync::Arc;

use qirvo_runtime::json;
use qirvo_runtime::location::{Locator, Position as Offset};
use qirvo_runtime::rules::{self, CheckContext, CheckOutput, RuntimeLimits};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

use crate::documents::Documents;
use crate::modules::ModuleCache;
use crate::{completion, convert, hover, locate};

/// The server state.
pub struct Backend {
    client: Client,
    documents: Documents,
    modules: Arc<ModuleCache>,
    limits: RuntimeLimits,
}

/// Whether a document is a manifest (by name or language id).
pub fn is_manifest(uri: &Url, language: Option<&str>) -> bool {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    language == Some("qirvo-manifest") || name == "manifest.json" || name.ends_with(".qirvo.json")
}

fn offset(text: &str, position: Position) -> usize {
    Locator::new(text).offset_of_utf16(Offset {
        line: position.line,
        column: position.character,
    })
}

impl Backend {
    /// A backend talking to `client`.
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            documents: Documents::default(),
            modules: Arc::default(),
            limits: RuntimeLimits::default(),
        }
    }

    fn check_text(&self, uri: &Url, text: &str) -> CheckOutput {
        let manifest_dir = uri.to_file_path().ok().and_then(|p| p.parent().map(PathBuf::from));
        rules::check(
            text,
            &CheckContext {
                manifest_dir,
                limits: self.limits,
                modules: &*self.modules,
            },
        )
    }

    /// Checks the current text and publishes, unless a newer edit arrived meanwhile.
    async fn publish(&self, uri: Url) {
        let Some(document) = self.documents.get(&uri) else {
            return;
        };
        let output = self.check_text(&uri, &document.text);
        let locator = Locator::new(&document.text);
        let diagnostics = output
            .diagnostics
            .iter()
            .map(|d| convert::diagnostic(&uri, &locator, d))
            .collect();
        if self
            .documents
            .get(&uri)
            .is_some_and(|latest| latest.version == document.version)
        {
            self.client
                .publish_diagnostics(uri, diagnostics, Some(document.version))
                .await;
        }
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["\"".into(), ":".into()]),
                    ..CompletionOptions::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "qirvo".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Rebuilding a plugin must update the squiggles: watch modules.
        let watch = Registration {
            id: "qirvo-wasm".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.wasm".into()),
                    kind: None,
                }],
            })
            .ok(),
        };
        let _ = self.client.register_capability(vec![watch]).await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        if !is_manifest(&document.uri, Some(&document.language_id)) {
            return;
        }
        self.documents
            .open(document.uri.clone(), document.text, document.version);
        self.publish(document.uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        if self
            .documents
            .change(&uri, params.text_document.version, &params.content_changes)
            .is_some()
        {
            self.publish(uri).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.publish(params.text_document.uri).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.documents.close(&params.text_document.uri);
        self.client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
            .await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in &params.changes {
            if let Ok(path) = change.uri.to_file_path() {
                self.modules.invalidate(&path);
            }
        }
        for uri in self.documents.uris() {
            self.publish(uri).await;
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(document) = self.documents.get(&uri) else {
            return Ok(None);
        };
        let output = self.check_text(&uri, &document.text);
        let locator = Locator::new(&document.text);
        let actions = convert::code_actions(&uri, &locator, &output.diagnostics, params.range);
        Ok(Some(actions.into_iter().map(CodeActionOrCommand::CodeAction).collect()))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some(document) = self.documents.get(&position.text_document.uri) else {
            return Ok(None);
        };
        let parsed = json::parse(&document.text);
        let Some(root) = parsed.root else { return Ok(None) };
        let at = offset(&document.text, position.position);
        let Some(place) = locate::at(&root, at) else {
            return Ok(None);
        };
        let output = self.check_text(&position.text_document.uri, &document.text);
        let Some(text) = hover::markdown(&place, output.module.as_deref()) else {
            return Ok(None);
        };
        let locator = Locator::new(&document.text);
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(convert::range(&locator, &place.span)),
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let Some(document) = self.documents.get(&position.text_document.uri) else {
            return Ok(None);
        };
        let parsed = json::parse(&document.text);
        let at = offset(&document.text, position.position);
        let items = completion::items(parsed.root.as_ref(), &document.text, at);
        Ok(Some(CompletionResponse::Array(items)))
    }
}
