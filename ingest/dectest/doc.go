// Package dectest holds what the tests of agent decoders share: reading a
// fixture's lines, decoding them the way the ingest pipeline does (in
// batches, each ended by a flush of the records a decoder holds back, and
// resumed from the decoder's state), the view of the records that the store
// would keep (View), and the inputs decoder tests compare with: ccusage's
// report and SQLite databases made by a fixture's script.
//
// It knows the store's merge rules (store.MergeSession, Usage.Replaces and
// the upserts of store.Batch.Add) and nothing of any agent's format, and
// imports store only, so that every agent package's tests can use it.
package dectest
