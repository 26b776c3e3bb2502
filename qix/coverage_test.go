package qix_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/qix-methods.md")

// TestMethodCoverageDoc keeps docs/qix-methods.md, the list of the QIX
// methods the engine serves, in step with the handlers: run
// go test ./qix -run TestMethodCoverageDoc -update-docs after adding one.
func TestMethodCoverageDoc(t *testing.T) {
	want := methodCoverageDoc()
	const file = "../docs/qix-methods.md"
	if *updateDocs {
		require.NoError(t, os.WriteFile(file, []byte(want), 0o644))
	}
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, want, string(got), "docs/qix-methods.md is stale: run go test ./qix -run TestMethodCoverageDoc -update-docs")
}

func methodCoverageDoc() string {
	all := qix.SchemaMethods()
	classes := make([]string, 0, len(all))
	for c := range all {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	var b strings.Builder
	b.WriteString(`# QIX methods

Which methods of the QIX API (the enigma.js schema 12.2027.0, the protocol
Qlik Core 12.x speaks) the engine serves. A method not served answers with
JSON-RPC error -32601 (method not found), as the product does for methods it
does not know. This file is generated from the handler table by
` + "`go test ./qix -run TestMethodCoverageDoc -update-docs`" + `; a test fails when it
is stale.

## Not served on purpose

- **Qlik Sense Enterprise and Cloud features.** Publishing, approval and
  streams belong to a repository this engine does not have: Publish,
  UnPublish, Approve and UnApprove (of apps, objects, bookmarks and master
  items), Global.PublishApp, ReplaceAppFromID, ReplaceAppFromPath, the
  session-app ownership and space methods (ChangeSessionAppOwner,
  ChangeSessionAppSpace) and SaaS-only features such as drafts,
  temporary bookmarks and group states. (GetStreamList, deprecated,
  answers an empty list: there are no streams.)
- **Database connectors.** Only folder connections exist, so the ODBC,
  OLE DB and custom-connector methods are not served: GetOdbcDsns,
  GetOleDbProviders, GetDatabasesFromConnectionString,
  IsValidConnectionString, GetDatabases, GetDatabaseInfo,
  GetDatabaseOwners, GetDatabaseTables, GetDatabaseTableFields,
  GetDatabaseTablePreview and SendGenericCommandToCustomConnector.
  (GetCustomConnectors answers an empty list.)
- **Qlik Sense Desktop and Windows specifics**: GetLogicalDriveStrings,
  GetMyDocumentsFolder, ShutdownProcess.
- **SetLooselyCoupledVector**: loosely coupled tables are decided by the
  load script (LOOSEN TABLE, circular references) and the data model is
  immutable between reloads; GetLooselyCoupledVector reports them.
- **Undo and Redo** are served but answer error 17 (unsupported in product
  version): the engine keeps no undo history of property changes, and
  ClearUndoBuffer succeeds with nothing to clear.

| class | served | of |
|---|---:|---:|
`)
	total, served := 0, 0
	for _, c := range classes {
		n := 0
		for _, m := range all[c] {
			if qix.Implemented(c, m) {
				n++
			}
		}
		total += len(all[c])
		served += n
		fmt.Fprintf(&b, "| %s | %d | %d |\n", c, n, len(all[c]))
	}
	fmt.Fprintf(&b, "| **all** | **%d** | **%d** |\n", served, total)
	for _, c := range classes {
		ms := all[c]
		slices.Sort(ms)
		var yes, no []string
		for _, m := range ms {
			if qix.Implemented(c, m) {
				yes = append(yes, m)
			} else {
				no = append(no, m)
			}
		}
		fmt.Fprintf(&b, "\n## %s\n\n", c)
		if len(yes) > 0 {
			fmt.Fprintf(&b, "Served: %s.\n", strings.Join(yes, ", "))
		}
		if len(no) > 0 {
			if len(yes) > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "Not served: %s.\n", strings.Join(no, ", "))
		}
	}
	return b.String()
}
