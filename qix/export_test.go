package qix

// MethodOuts returns the result keys the schema gives class.method.
func MethodOuts(class, method string) ([]string, bool) {
	m := schema.method(class, method)
	if m == nil {
		return nil, false
	}
	return m.Out, true
}
