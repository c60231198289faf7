// Package strictjson decodes the JSON objects the exam manager receives (HTTP
// bodies, result files, token claims, the patient manager's answers) in one
// strict way: exactly one JSON value, no member name twice in any object, and
// a struct field filled only by the member of exactly its name. encoding/json
// alone matches names case-insensitively and keeps the last of two members, so
// two readers could take one document for two different things.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
)

// MaxDepth bounds the nesting of arrays and objects.
const MaxDepth = 1000

// Errors. Their text is fixed: it never quotes the input.
var (
	ErrSyntax    = errors.New("not exactly one well-formed JSON object")
	ErrDuplicate = errors.New("a member name appears twice in one object")
)

// FieldError is a member of the right name whose value has the wrong type.
type FieldError struct{ Name string } // the field's JSON name, never input text

func (e *FieldError) Error() string { return "member " + e.Name + " has the wrong type" }

// Unmarshal decodes data, exactly one JSON object, into the struct v points
// to. Each field is set from the member whose name equals its json tag name
// exactly (or is left alone if there is none); other members are ignored. A
// member value of the wrong type is a *FieldError. null leaves every field alone.
func Unmarshal(data []byte, v any) error {
	if err := Check(data); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return ErrSyntax
	}
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		name := fieldName(rt.Field(i))
		raw, ok := members[name]
		if name == "" || !ok {
			continue
		}
		if err := json.Unmarshal(raw, rv.Field(i).Addr().Interface()); err != nil {
			return &FieldError{Name: name}
		}
	}
	return nil
}

func fieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if !f.IsExported() || name == "-" {
		return ""
	}
	return name
}

// Check reports whether data is exactly one JSON value, white space around it
// aside, with no member name twice in any of its objects (names compared after
// unescaping, so "a" and "\u0061" are the same name).
func Check(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// One entry per open array or object: an object's names so far, nil for an array.
	var open []map[string]bool
	// wantName: the next token of the innermost open object is a member name.
	wantName := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ErrSyntax
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(open) == MaxDepth {
					return ErrSyntax
				}
				names := map[string]bool(nil)
				if t == '{' {
					names = map[string]bool{}
				}
				open = append(open, names)
				wantName = t == '{'
				continue
			default:
				open = open[:len(open)-1]
			}
		case string:
			if wantName {
				names := open[len(open)-1]
				if names[t] {
					return ErrDuplicate
				}
				names[t] = true
				wantName = false
				continue
			}
		}
		// A value ended: the top level is done, or an object wants its next name.
		if len(open) == 0 {
			break
		}
		wantName = open[len(open)-1] != nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrSyntax
	}
	return nil
}
