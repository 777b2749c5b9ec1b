//! The `audit_event` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub version: i32,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub department_id: Option<i64>,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub changes: String,
    pub prev_hash: Option<String>,
    pub leaf_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The event as hashed, read back from the row.
    pub fn to_event(&self) -> Result<super::event::Event, String> {
        Ok(super::event::Event {
            seq: self.seq,
            at_ms: self.at,
            actor_id: self.actor_id,
            actor_name: self.actor_name.clone(),
            department_id: self.department_id,
            ip: self.ip.clone(),
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            changes: super::event::Event::parse_changes(&self.changes)?,
            prev_hash: self.prev_hash.clone(),
        })
    }
}
