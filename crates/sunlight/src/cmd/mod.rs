//! One module per command group that does not need the application's database.
