//! The table definition, read from `template.yaml` so that the local table and
//! the deployed one cannot drift apart: there is only one definition.

use std::path::Path;

use aws_sdk_dynamodb::{
    types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType},
    Client,
};
use serde_yaml_ng::Value;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The parts of the template's `AWS::DynamoDB::Table` that DynamoDB Local
/// needs: keys, attribute types and billing mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    /// `(attribute, HASH | RANGE)` in template order.
    pub key_schema: Vec<(String, String)>,
    /// `(attribute, S | N | B)`.
    pub attributes: Vec<(String, String)>,
    pub billing_mode: String,
}

impl TableDefinition {
    /// Reads the one `AWS::DynamoDB::Table` resource of a SAM template.
    pub fn from_template(path: &Path) -> Result<Self, BoxError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_template_text(&text)
    }

    /// Like [`TableDefinition::from_template`], from the template's text.
    pub fn from_template_text(text: &str) -> Result<Self, BoxError> {
        let template: Value = serde_yaml_ng::from_str(text)?;
        let resources = template
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or("template has no Resources")?;
        let mut tables = resources
            .values()
            .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::DynamoDB::Table"));
        let table = tables
            .next()
            .ok_or("template has no AWS::DynamoDB::Table")?;
        if tables.next().is_some() {
            return Err("template has more than one AWS::DynamoDB::Table".into());
        }
        let props = table.get("Properties").ok_or("table has no Properties")?;
        let pairs = |list: &str, a: &str, b: &str| -> Result<Vec<(String, String)>, BoxError> {
            props
                .get(list)
                .and_then(Value::as_sequence)
                .ok_or_else(|| format!("table has no {list}"))?
                .iter()
                .map(|entry| {
                    let field = |name: &str| {
                        entry
                            .get(name)
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .ok_or_else(|| format!("{list} entry without {name}"))
                    };
                    Ok((field(a)?, field(b)?))
                })
                .collect()
        };
        Ok(Self {
            key_schema: pairs("KeySchema", "AttributeName", "KeyType")?,
            attributes: pairs("AttributeDefinitions", "AttributeName", "AttributeType")?,
            billing_mode: props
                .get("BillingMode")
                .and_then(Value::as_str)
                .unwrap_or("PROVISIONED")
                .to_owned(),
        })
    }

    /// Creates the table named `name`, unless it already exists.
    pub async fn create(&self, client: &Client, name: &str) -> Result<(), BoxError> {
        if self.billing_mode != "PAY_PER_REQUEST" {
            return Err(format!(
                "billing mode {} is not supported locally",
                self.billing_mode
            )
            .into());
        }
        let mut request = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest);
        for (attribute, key_type) in &self.key_schema {
            request = request.key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attribute)
                    .key_type(KeyType::from(key_type.as_str()))
                    .build()?,
            );
        }
        for (attribute, kind) in &self.attributes {
            request = request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attribute)
                    .attribute_type(ScalarAttributeType::from(kind.as_str()))
                    .build()?,
            );
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                Ok(())
            }
            Err(err) => Err(err.into()),
        }
    }
}
