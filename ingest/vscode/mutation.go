package vscode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Kinds of the lines of a mutation log (VS Code's ObjectMutationLog).
const (
	kindInitial = 0 // v is the whole document
	kindSet     = 1 // v is the value at path k
	kindPush    = 2 // the array at path k is cut at index i (when given), then v's items appended
	kindDelete  = 3 // the value at path k is removed
)

// mutation is one line of a mutation log.
type mutation struct {
	Kind *int            `json:"kind"`
	K    []any           `json:"k"`
	V    json.RawMessage `json:"v"`
	I    *int            `json:"i"`
}

var errNoKind = errors.New("not a mutation: no kind")

// doc is a document being rebuilt from a mutation log: JSON values as
// encoding/json decodes them into any (numbers as json.Number).
type doc struct{ root any }

// decodeAny decodes a JSON value, keeping numbers exact.
func decodeAny(raw []byte) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// apply applies one line of the log.
func (d *doc) apply(line []byte) error {
	var m mutation
	if err := json.Unmarshal(line, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("not a mutation: %s is a %s", te.Field, te.Value)
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if m.Kind == nil {
		return errNoKind
	}
	v, err := decodeAny(m.V)
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	switch *m.Kind {
	case kindInitial:
		d.root = v
	case kindSet:
		d.root, err = set(d.root, m.K, v)
	case kindPush:
		items, _ := v.([]any)
		d.root, err = push(d.root, m.K, items, m.I)
	case kindDelete:
		d.root, err = remove(d.root, m.K)
	default:
		return fmt.Errorf("unknown mutation kind %d", *m.Kind)
	}
	return err
}

// index returns an array index of a path.
func index(k any) (int, bool) {
	switch x := k.(type) {
	case float64:
		return int(x), x >= 0 && x == float64(int(x))
	case json.Number:
		i, err := strconv.Atoi(string(x))
		return i, err == nil && i >= 0
	}
	return 0, false
}

// set returns node with v set at path, creating what is missing.
func set(node any, path []any, v any) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	switch n := node.(type) {
	case map[string]any:
		key, ok := path[0].(string)
		if !ok {
			return node, fmt.Errorf("path element %v: not a key of an object", path[0])
		}
		child, err := set(n[key], path[1:], v)
		n[key] = child
		return n, err
	case []any:
		i, ok := index(path[0])
		if !ok {
			return node, fmt.Errorf("path element %v: not an array index", path[0])
		}
		if i > len(n) {
			return node, fmt.Errorf("path element %d: past the end of an array of %d", i, len(n))
		}
		if i == len(n) {
			n = append(n, nil)
		}
		child, err := set(n[i], path[1:], v)
		n[i] = child
		return n, err
	case nil:
		if _, ok := index(path[0]); ok {
			return set([]any{}, path, v)
		}
		return set(map[string]any{}, path, v)
	}
	return node, fmt.Errorf("path element %v: below a value that is neither an object nor an array", path[0])
}

// get returns the value at path.
func get(node any, path []any) any {
	for _, k := range path {
		switch n := node.(type) {
		case map[string]any:
			key, _ := k.(string)
			node = n[key]
		case []any:
			i, ok := index(k)
			if !ok || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	return node
}

// push cuts the array at path to cut items (when cut is given) and
// appends items to it.
func push(root any, path []any, items []any, cut *int) (any, error) {
	arr, _ := get(root, path).([]any)
	if cut != nil && *cut >= 0 && *cut < len(arr) {
		arr = arr[:*cut]
	}
	return set(root, path, append(arr, items...))
}

// remove deletes the value at path: an object's key, or an array's element.
func remove(root any, path []any) (any, error) {
	if len(path) == 0 {
		return nil, nil
	}
	parent := get(root, path[:len(path)-1])
	switch p := parent.(type) {
	case map[string]any:
		key, _ := path[len(path)-1].(string)
		delete(p, key)
		return root, nil
	case []any:
		i, ok := index(path[len(path)-1])
		if !ok || i >= len(p) {
			return root, nil
		}
		return set(root, path[:len(path)-1], append(p[:i:i], p[i+1:]...))
	}
	return root, nil
}
