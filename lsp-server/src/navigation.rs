//! Document links and go to definition: from `main` to the module file, and from a diagnostic
//! about the module's imports to the place in the manifest it concerns (the `permissions` key).

use tower_lsp::lsp_types::{DocumentLink, Location, Position, Range, Url};

use crate::analysis::Analysis;
use crate::convert;

/// The module named by `main`, as a link on its value.
pub fn links(analysis: &Analysis) -> Vec<DocumentLink> {
    let Some(root) = &analysis.root else { return Vec::new() };
    let Some(main) = root.get("main") else {
        return Vec::new();
    };
    let Some(target) = module_url(analysis) else {
        return Vec::new();
    };
    vec![DocumentLink {
        range: convert::range(&analysis.locator(), &main.value.span),
        target: Some(target),
        tooltip: Some("Open the plugin's module".into()),
        data: None,
    }]
}

/// Definitions at `offset`: the module when on `main`, then the related places of the
/// diagnostics under the cursor (an import that needs a permission → where permissions go).
pub fn definitions(uri: &Url, analysis: &Analysis, position: Position) -> Vec<Location> {
    let offset = analysis.offset(position);
    let mut found = Vec::new();
    if let Some(main) = analysis.root.as_ref().and_then(|root| root.get("main"))
        && main.value.span.start <= offset
        && offset <= main.value.span.end
        && let Some(target) = module_url(analysis)
    {
        found.push(Location::new(target, Range::default()));
    }
    let locator = analysis.locator();
    for (diagnostic, _) in &analysis.published {
        if diagnostic.span.start <= offset && offset <= diagnostic.span.end {
            for related in &diagnostic.related {
                let location = Location::new(uri.clone(), convert::range(&locator, &related.span));
                if !found.contains(&location) {
                    found.push(location);
                }
            }
        }
    }
    found
}

fn module_url(analysis: &Analysis) -> Option<Url> {
    let path = analysis.output.module_path.as_ref()?;
    if !path.is_file() {
        return None;
    }
    Url::from_file_path(path).ok()
}
