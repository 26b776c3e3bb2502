package qix

// MethodOuts returns the result keys the schema gives class.method.
func MethodOuts(class, method string) ([]string, bool) {
	m := schema.method(class, method)
	if m == nil {
		return nil, false
	}
	return m.Out, true
}

// SchemaMethods returns the schema's methods by class.
func SchemaMethods() map[string][]string {
	out := map[string][]string{}
	for class, ms := range schema.methods {
		for name := range ms {
			out[class] = append(out[class], name)
		}
	}
	return out
}

// Implemented reports whether class.method has a handler.
func Implemented(class, method string) bool { return handlers[class][method] != nil }
