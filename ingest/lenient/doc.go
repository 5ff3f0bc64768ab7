// Package lenient reads the loosely typed JSON of agents' logs for the
// decoders of ingest's agent packages, so that a format change costs a
// field, never the line: a field of an unexpected type reads as absent
// instead of failing its record.
//
// It offers two ways to decode a record, and a decoder picks one per
// struct: Unmarshal into plain Go types (a field of another type is left
// alone, only syntax errors are errors), or encoding/json into structs of
// the field types here (Str, Int, Float, Bool, Of), which never fail and
// also read numbers written as strings. The functions on raw values (Kind,
// String, Text, Object, Objects) tell values apart by their first byte and
// never fail either. It knows no agent's format.
package lenient
