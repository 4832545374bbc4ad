"""Retrieval over the vector index: metadata filters, dense search across the per-source collections, and a
keyword rerank that makes exact identifiers count."""
