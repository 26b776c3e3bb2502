package script

import "reflect"

var (
	stmtInfoType   = reflect.TypeFor[StmtInfo]()
	unexpandedType = reflect.TypeFor[Unexpanded]()
)

// Equal reports whether a and b have the same syntax tree, ignoring source
// offsets and the raw texts of statements (StmtInfo). A nil slice equals an
// empty one. Format(s) parses back to a script Equal to s.
func Equal(a, b *Script) bool {
	if a == nil || b == nil {
		return a == b
	}
	return equalValue(reflect.ValueOf(a.Stmts), reflect.ValueOf(b.Stmts))
}

// EqualStmt reports whether two statements have the same syntax tree,
// ignoring offsets and raw texts.
func EqualStmt(a, b Stmt) bool {
	return equalValue(reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem())
}

func equalValue(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return equalValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equalValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		t := a.Type()
		if t == unexpandedType {
			// The raw text is all an Unexpanded statement has.
			return a.Field(0).FieldByName("Text").String() == b.Field(0).FieldByName("Text").String()
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Type == stmtInfoType || (f.Name == "Pos" || f.Name == "End") && f.Type.Kind() == reflect.Int {
				continue
			}
			if !equalValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return a.Uint() == b.Uint()
	}
	panic("BUG: script: Equal does not handle " + a.Kind().String())
}
