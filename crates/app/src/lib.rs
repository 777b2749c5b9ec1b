//! Sunlight's application, organised by feature.
