"""The local pathway knowledge base: release files -> SQLite store (+ symbols) -> Chroma search index.

Modules: `paths` (the data home), `store` (schema and read access), `sources`/`locate`/`genes` (readers),
`fetch`/`download` (network, only when asked), `assemble`/`build` (the builder), `go` (GO gene sets for training and
evaluation), `index`/`embedding` (the search index), `cli` (`gene-r1 kb`). Nothing heavy is imported here.
"""
