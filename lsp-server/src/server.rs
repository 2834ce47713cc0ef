//! The language server: tower-lsp handlers over qirvo-manifest's rules. Handlers stay thin: state
//! and scheduling live in `workspace`, each feature in its own module.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

use crate::format::{self, Style};
use crate::lifecycle::Lifecycle;
use crate::panic_guard;
use crate::settings::Settings;
use crate::workspace::Workspace;
use crate::{completion, convert, hover, inlay, lens, locate, navigation, symbols};

/// The server state.
pub struct Backend {
    /// What the raw `initialize` said beyond the typed params.
    lifecycle: Arc<Lifecycle>,
    workspace: Arc<Workspace>,
    /// The client answers `workspace/configuration`.
    pulls_configuration: AtomicBool,
    /// The client watches files for us when asked (dynamic registration of
    /// `workspace/didChangeWatchedFiles`); otherwise the workspace watches modules itself.
    client_watches_files: AtomicBool,
}

/// Whether a document is a manifest (by name or language id).
pub fn is_manifest(uri: &Url, language: Option<&str>) -> bool {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    language == Some("qirvo-manifest") || name == "manifest.json" || name.ends_with(".qirvo.json")
}

impl Backend {
    /// A backend talking to `client`.
    pub(crate) fn new(client: Client, lifecycle: Arc<Lifecycle>) -> Backend {
        Backend {
            lifecycle,
            workspace: Arc::new(Workspace::new(client)),
            pulls_configuration: AtomicBool::new(false),
            client_watches_files: AtomicBool::new(false),
        }
    }

    fn client(&self) -> &Client {
        &self.workspace.client
    }

    /// Applies a `qirvo` settings section and re-checks if anything changed.
    async fn apply_settings(&self, section: &Value) {
        let (settings, problems) = Settings::from_json(section);
        for problem in &problems {
            tracing::warn!("{problem}");
        }
        if !problems.is_empty() {
            self.client()
                .show_message(MessageType::WARNING, format!("qirvo settings: {}", problems.join("; ")))
                .await;
        }
        if self.workspace.set_settings(settings) {
            self.workspace.recheck_all().await;
        }
    }

    async fn fetch_settings(&self) {
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("qirvo".into()),
        };
        match self.client().configuration(vec![item]).await {
            Ok(mut sections) if !sections.is_empty() => self.apply_settings(&sections.swap_remove(0)).await,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "workspace/configuration failed"),
        }
    }
}

fn capabilities(pull_diagnostics: bool) -> ServerCapabilities {
    ServerCapabilities {
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
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        definition_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        diagnostic_provider: pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("qirvo".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        ..ServerCapabilities::default()
    }
}

impl Backend {
    fn start_session(&self, params: &InitializeParams) -> InitializeResult {
        let client = &params.capabilities;
        // Pull only when the client can also be told to pull again (a rebuilt module or new
        // settings change diagnostics without an edit): Neovim 0.10 pulls but has no refresh.
        let pull = client.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some())
            && (self.lifecycle.client_refreshes_diagnostics()
                || client
                    .workspace
                    .as_ref()
                    .and_then(|w| w.diagnostic.as_ref())
                    .and_then(|d| d.refresh_support)
                    .unwrap_or(false));
        self.workspace.pulls_diagnostics.store(pull, Ordering::SeqCst);
        let workspace = client.workspace.as_ref();
        let configuration = workspace.and_then(|w| w.configuration).unwrap_or(false);
        self.pulls_configuration.store(configuration, Ordering::SeqCst);
        let watches_files = workspace
            .and_then(|w| w.did_change_watched_files)
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        self.client_watches_files.store(watches_files, Ordering::SeqCst);
        if !watches_files {
            // Before any document opens: tower-lsp takes no other message until this returns.
            self.workspace.watch_modules();
        }
        // Clients without workspace/configuration (or before it answers) can pass settings here.
        if let Some(options) = &params.initialization_options {
            let section = options.get("qirvo").unwrap_or(options);
            let (settings, problems) = Settings::from_json(section);
            for problem in problems {
                tracing::warn!("{problem}");
            }
            self.workspace.set_settings(settings);
        }
        InitializeResult {
            capabilities: capabilities(pull),
            server_info: Some(ServerInfo {
                name: "qirvo".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    /// Rebuilding a plugin must update the squiggles: asks the client to watch modules.
    async fn register_module_watch(&self) {
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
        if let Err(error) = self.client().register_capability(vec![watch]).await {
            tracing::warn!(%error, "the client refused to watch modules");
        }
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        // Caught here, not only around the service: tower-lsp would wait for a panicked
        // `initialize` forever and take no other message.
        qirvo_panics::contained_call(|| self.start_session(&params))
            .map_err(|message| panic_guard::internal_error("initialize", &message))
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.client_watches_files.load(Ordering::SeqCst) {
            self.register_module_watch().await;
        }
        if self.pulls_configuration.load(Ordering::SeqCst) {
            self.fetch_settings().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        if !is_manifest(&document.uri, Some(&document.language_id)) {
            return;
        }
        self.workspace
            .documents
            .open(document.uri.clone(), document.text, document.version);
        self.workspace.schedule(document.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        if self
            .workspace
            .documents
            .change(&uri, params.text_document.version, &params.content_changes)
            .is_some()
        {
            self.workspace.schedule(uri);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.workspace.schedule(params.text_document.uri);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.workspace.close(&uri);
        if !self.workspace.pulls_diagnostics.load(Ordering::SeqCst) {
            self.client().publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if self.pulls_configuration.load(Ordering::SeqCst) {
            self.fetch_settings().await;
        } else {
            let section = params.settings.get("qirvo").unwrap_or(&params.settings).clone();
            self.apply_settings(&section).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<_> = params
            .changes
            .iter()
            .filter_map(|change| change.uri.to_file_path().ok())
            .collect();
        self.workspace.modules_changed(&paths).await;
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let analysis = self.workspace.analysis(&params.text_document.uri);
        let report = match analysis {
            Some(analysis) if params.previous_result_id.as_deref() == Some(&analysis.result_id()) => {
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: analysis.result_id(),
                    },
                })
            }
            analysis => DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: analysis.as_ref().map(|a| a.result_id()),
                    items: analysis.map(|a| a.lsp_diagnostics()).unwrap_or_default(),
                },
            }),
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(analysis) = self.workspace.analysis(&uri) else {
            return Ok(None);
        };
        let actions = convert::code_actions(&uri, &analysis.locator(), &analysis.published, params.range);
        Ok(Some(actions.into_iter().map(CodeActionOrCommand::CodeAction).collect()))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some(analysis) = self.workspace.analysis(&position.text_document.uri) else {
            return Ok(None);
        };
        let Some(root) = &analysis.root else { return Ok(None) };
        let Some(place) = locate::at(root, analysis.offset(position.position)) else {
            return Ok(None);
        };
        let Some(text) = hover::markdown(&place, analysis.output.module.as_deref()) else {
            return Ok(None);
        };
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(convert::range(&analysis.locator(), &place.span)),
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let Some(analysis) = self.workspace.analysis(&position.text_document.uri) else {
            return Ok(None);
        };
        let at = analysis.offset(position.position);
        let items = completion::items(analysis.root.as_ref(), &analysis.text, at);
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(analysis) = self.workspace.analysis(&params.text_document.uri) else {
            return Ok(None);
        };
        let Some(root) = &analysis.root else { return Ok(None) };
        Ok(Some(DocumentSymbolResponse::Nested(symbols::outline(
            root,
            &analysis.locator(),
        ))))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(analysis) = self.workspace.analysis(&params.text_document.uri) else {
            return Ok(None);
        };
        let (Some(root), None) = (&analysis.root, analysis.syntax_error) else {
            let at = analysis
                .syntax_error
                .map(|offset| analysis.locator().chars(offset))
                .map(|p| format!(" (first at line {}, column {})", p.line + 1, p.column + 1))
                .unwrap_or_default();
            self.client()
                .show_message(
                    MessageType::WARNING,
                    format!("qirvo: not formatting a manifest that is not valid JSON{at}; nothing was changed"),
                )
                .await;
            return Ok(None);
        };
        let options = &params.options;
        let style = Style {
            indent: if options.insert_spaces {
                " ".repeat(options.tab_size.clamp(1, 16) as usize)
            } else {
                "\t".into()
            },
            final_newline: analysis.text.ends_with('\n') || options.insert_final_newline == Some(true),
        };
        let formatted = format::format(&analysis.text, root, &style);
        let edits = format::minimal_edit(&analysis.text, &formatted)
            .map(|(start, end, new_text)| {
                let range = convert::range(&analysis.locator(), &(start..end));
                vec![TextEdit::new(range, new_text.to_string())]
            })
            .unwrap_or_default();
        Ok(Some(edits))
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        Ok(self
            .workspace
            .analysis(&params.text_document.uri)
            .map(|analysis| navigation::links(&analysis)))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        let Some(analysis) = self.workspace.analysis(&uri) else {
            return Ok(None);
        };
        let found = navigation::definitions(&uri, &analysis, position.position);
        Ok((!found.is_empty()).then_some(GotoDefinitionResponse::Array(found)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(self
            .workspace
            .analysis(&params.text_document.uri)
            .map(|analysis| inlay::hints(&analysis, params.range)))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        Ok(self
            .workspace
            .analysis(&uri)
            .map(|analysis| lens::lenses(&uri, &analysis)))
    }
}
