package qix

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSchemaMatchesEnigma checks the embedded schema's parameters against
// enigma.js's schema (a copy in testdata): same names, order, defaults and
// optional flags, for every method of the classes the engine serves.
func TestSchemaMatchesEnigma(t *testing.T) {
	data, err := os.ReadFile("testdata/enigma.js/qix-schema-12.2027.0.json")
	require.NoError(t, err)
	var en struct {
		Structs map[string]map[string]struct {
			In []struct {
				Name         string          `json:"Name"`
				DefaultValue json.RawMessage `json:"DefaultValue"`
				Optional     bool            `json:"Optional"`
			} `json:"In"`
			Out []struct{ Name string } `json:"Out"`
		} `json:"structs"`
	}
	require.NoError(t, json.Unmarshal(data, &en))
	require.Len(t, schema.methods, 9)
	for class, methods := range schema.methods {
		require.Len(t, methods, len(en.Structs[class]), class)
		for name, m := range methods {
			want, ok := en.Structs[class][name]
			require.True(t, ok, "%s.%s", class, name)
			require.Len(t, m.In, len(want.In), "%s.%s", class, name)
			for i, p := range want.In {
				require.Equal(t, p.Name, m.In[i].Name, "%s.%s", class, name)
				require.Equal(t, p.Optional, m.In[i].Optional, "%s.%s %s", class, name, p.Name)
				if len(p.DefaultValue) > 0 {
					require.JSONEq(t, string(p.DefaultValue), string(encode(m.In[i].Default)), "%s.%s %s", class, name, p.Name)
				}
			}
			// enigma's Out lists the named outs other than qReturn.
			var outs []string
			for _, o := range m.Out {
				if o != "qReturn" {
					outs = append(outs, o)
				}
			}
			var wantOuts []string
			for _, o := range want.Out {
				wantOuts = append(wantOuts, o.Name)
			}
			require.ElementsMatch(t, wantOuts, outs, "%s.%s", class, name)
		}
	}
}

func TestSchemaErrorsAndEnums(t *testing.T) {
	require.Equal(t, "App invalid", messageFor(1007))
	require.Equal(t, "Method not found", messageFor(-32601))
	require.Equal(t, "Invalid Params", messageFor(-32602))
	require.Equal(t, "Function not allowed on this object in app modal mode", messageFor(6003))
	require.Equal(t, "Unknown error", messageFor(123456))
	tests := []struct {
		enum string
		in   any
		want string
		ok   bool
	}{
		{"NxFrequencyMode", "V", "V", true},
		{"NxFrequencyMode", "NX_FREQUENCY_PERCENT", "P", true},
		{"NxFrequencyMode", jsonNumber("3"), "R", true},
		{"NxFrequencyMode", jsonNumber("9"), "", false},
		{"NxFrequencyMode", "v", "", false},
		{"NxHypercubeMode", "DATA_MODE_PIVOT", "P", true},
		{"OtherMode", "OTHER_COUNTED", "OTHER_COUNTED", true},
		{"OtherMode", jsonNumber("0"), "OTHER_OFF", true},
		{"FieldAttrType", jsonNumber("10"), "I", true},
		{"FieldAttrType", true, "", false},
	}
	for _, tt := range tests {
		got, ok := schema.enum(tt.enum).parse(tt.in)
		require.Equal(t, tt.ok, ok, "%s %v", tt.enum, tt.in)
		require.Equal(t, tt.want, got, "%s %v", tt.enum, tt.in)
	}
	require.Panics(t, func() { schema.enum("NoSuchEnum") })
}

// TestHandlersAreInTheSchema: every handler is a schema method of its class.
func TestHandlersAreInTheSchema(t *testing.T) {
	n := 0
	for class, hs := range handlers {
		for name := range hs {
			require.NotNil(t, schema.method(class, name), "%s.%s", class, name)
			n++
		}
	}
	require.Greater(t, n, 90)
}
