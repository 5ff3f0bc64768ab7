// Package ingesttest builds corpora of agent session logs for the tests and
// benchmarks of the ingest pipeline: corpora of copies of real (or
// hand-written) logs, each copy with its ids rewritten so that it is a
// session of its own, laid out as the agents lay them out on disk; and
// dumps of a database's content by natural keys, to compare the results of
// different runs. It knows the shape of ids in the logs, the directory
// layouts and the schema's tables, and nothing of decoding.
package ingesttest
