//! credboard's own JSON: what `credboard list -o json` prints.

use serde_json::Value;

use super::{ImportFormat, Location, ParsedImport, Rejected, push_entry};

pub(super) fn parse(items: Vec<Value>) -> ParsedImport {
    let mut parsed = ParsedImport {
        format: ImportFormat::CredboardJson,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    for (i, item) in items.iter().enumerate() {
        let location = Location::JsonIndex(i);
        let Some(o) = item.as_object() else {
            parsed.rejected.push(Rejected {
                location,
                reason: "not an object".into(),
            });
            continue;
        };
        let field = |camel: &str, snake: &str| o.get(camel).or_else(|| o.get(snake));
        push_entry(
            &mut parsed,
            location,
            [
                ("appId", field("appId", "app_id")),
                ("connectorId", field("connectorId", "connector_id")),
                ("id", o.get("id")),
            ],
        );
    }
    parsed
}
