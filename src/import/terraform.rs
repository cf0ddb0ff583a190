//! Terraform state, version 4: the `conductorone_connector_credential` resources.

use serde_json::Value;

use super::{ImportError, ImportFormat, Location, ParsedImport, Rejected, push_entry};
use crate::api::secret::hide_client_secrets;

const TF_TYPE: &str = "conductorone_connector_credential";

pub(super) fn parse(o: &serde_json::Map<String, Value>) -> Result<ParsedImport, ImportError> {
    match &o["version"] {
        Value::Number(n) if n.as_u64() == Some(4) => {}
        other => {
            let v = match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            return Err(ImportError::TerraformVersion(v));
        }
    }
    let resources = match &o["resources"] {
        Value::Array(r) => r.as_slice(),
        Value::Null => &[],
        _ => {
            return Err(ImportError::TerraformShape(
                "\"resources\" is not a list".into(),
            ));
        }
    };
    let mut parsed = ParsedImport {
        format: ImportFormat::TerraformState,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    for (ri, res) in resources.iter().enumerate() {
        if res.get("type").and_then(Value::as_str) != Some(TF_TYPE) {
            continue;
        }
        let mode = res.get("mode").and_then(Value::as_str).unwrap_or("managed");
        let name = res
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("resources[{ri}]"), str::to_string);
        let mut base = String::new();
        if let Some(module) = res.get("module").and_then(Value::as_str) {
            base.push_str(module);
            base.push('.');
        }
        if mode == "data" {
            base.push_str("data.");
        }
        base.push_str(TF_TYPE);
        base.push('.');
        base.push_str(&name);
        let instances = match res.get("instances") {
            Some(Value::Array(i)) => i.as_slice(),
            None | Some(Value::Null) => &[],
            Some(_) => {
                parsed.rejected.push(Rejected {
                    location: Location::Resource(hide_client_secrets(&base)),
                    reason: "\"instances\" is not a list".into(),
                });
                continue;
            }
        };
        for (ii, inst) in instances.iter().enumerate() {
            let address = match inst.get("index_key") {
                Some(Value::Number(n)) => format!("{base}[{n}]"),
                Some(Value::String(s)) => format!("{base}[{}]", Value::String(s.clone())),
                // Without count or for_each there is no key; still tell several apart.
                _ if instances.len() > 1 => format!("{base} (instance {ii})"),
                _ => base.clone(),
            };
            // Names and keys are the file's text: a secret pasted there is not echoed.
            let location = Location::Resource(hide_client_secrets(&address));
            let Some(attrs) = inst.get("attributes").and_then(Value::as_object) else {
                parsed.rejected.push(Rejected {
                    location,
                    reason: "the instance has no attributes".into(),
                });
                continue;
            };
            push_entry(
                &mut parsed,
                location,
                [
                    ("app_id", attrs.get("app_id")),
                    ("connector_id", attrs.get("connector_id")),
                    ("id", attrs.get("id")),
                ],
            );
        }
    }
    Ok(parsed)
}
