package auth

import (
	"errors"
	"fmt"

	"github.com/assocengine/assoc/server/auth/rules"
	"github.com/assocengine/assoc/server/license"
)

// ErrAccessDenied is the error of a refused call; its text is what the
// client is told ("Access denied", QIX error code 5,
// LOCERR_GENERIC_ACCESS_DENIED).
var ErrAccessDenied = errors.New("Access denied")

// Denial is a refused call: errors.Is(err, ErrAccessDenied) holds, its
// text is "Access denied", and Reason says why (for the log only).
type Denial struct {
	Reason string
}

// Error returns the text the client sees.
func (d *Denial) Error() string { return ErrAccessDenied.Error() }

// Is makes errors.Is(d, ErrAccessDenied) true.
func (d *Denial) Is(target error) bool { return target == ErrAccessDenied }

// Call is one QIX call to check.
type Call struct {
	// Class is the class of the handle: Global, Doc, GenericObject,
	// GenericDimension, GenericMeasure, GenericBookmark, GenericVariable,
	// Field or Variable.
	Class string
	// Method is the method name (CreateObject, SetProperties, ...).
	Method string
	// Session is true when the call creates or changes a session object
	// (CreateSessionObject, SetProperties on one): that is not editing
	// the app.
	Session bool
	// SoftPatch is true for ApplyPatches with qSoftPatch: a change that
	// is not saved.
	SoftPatch bool
}

// professionalOnly lists the calls that create, edit or publish apps and
// sheets, connections and master items, or administer the engine (spec
// §1.1). Analyzer and Analyzer Capacity users may not make them.
var professionalOnly = map[string]map[string]bool{
	"Global": set("CreateApp", "CreateDocEx", "DeleteApp", "CopyApp", "ReplaceAppFromID", "PublishApp", "ExportApp",
		"SaveAs", "ShutdownProcess", "ReloadExtensionList", "ConfigureReload", "CreateSessionAppFromApp"),
	"Doc": set("SetScript", "CommitScript", "DoReload", "DoReloadEx", "DoSave", "SaveAs", "SaveObjects", "SetAppProperties",
		"CreateObject", "GetOrCreateObject", "DestroyObject", "CloneObject", "CreateDraft", "CommitDraft", "DestroyDraft",
		"CreateDimension", "DestroyDimension", "CloneDimension", "CreateMeasure", "DestroyMeasure", "CloneMeasure",
		"CreateVariable", "CreateVariableEx", "RemoveVariable", "DestroyVariableById", "DestroyVariableByName",
		"CreateConnection", "ModifyConnection", "DeleteConnection", "AddAlternateState", "RemoveAlternateState",
		"AddFieldFromExpression", "Publish", "Scramble", "SetScriptBreakpoints", "SetViewDlgSaveInfo", "TransformApp",
		"SetProhibitBinaryLoad", "SendGenericCommandToCustomConnector", "ReplaceBookmark"),
	"GenericObject": set("SetProperties", "ApplyPatches", "SetFullPropertyTree", "CreateChild", "DestroyChild",
		"DestroyAllChildren", "SetChildArrayOrder", "CopyFrom", "Publish", "UnPublish", "Approve", "UnApprove",
		"CreateGroup", "AddGroupMembers", "RemoveGroupMembers", "RemoveGroup", "SetGroupLabel"),
	"GenericDimension": set("SetProperties", "ApplyPatches", "Publish", "UnPublish", "Approve", "UnApprove"),
	"GenericMeasure":   set("SetProperties", "ApplyPatches", "Publish", "UnPublish", "Approve", "UnApprove"),
	"GenericVariable":  set("SetProperties", "ApplyPatches"),
	"GenericBookmark":  set("Approve", "UnApprove"),
	"Variable":         set("SetNxProperties"),
	"Field":            set("SetNxProperties"),
}

// sessionExempt are the professional-only calls that are fine on session
// objects (they edit nothing that is saved).
var sessionExempt = set("SetProperties", "ApplyPatches", "SetFullPropertyTree", "CreateChild", "DestroyChild",
	"DestroyAllChildren", "SetChildArrayOrder", "CopyFrom")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// LicenseAllows reports whether a license access type may make a call:
// every access may read, select, create session objects and bookmarks and
// export data; only full-feature access (Professional, the token passes,
// evaluation) may create, edit and publish apps, sheets and master items.
func LicenseAllows(a license.Access, c Call) bool {
	if a == license.NoAccess {
		return false
	}
	if a.FullFeatures() {
		return true
	}
	if !professionalOnly[c.Class][c.Method] {
		return true
	}
	if c.SoftPatch && c.Method == "ApplyPatches" {
		return true
	}
	return c.Session && sessionExempt[c.Method]
}

// Resource types and actions of the access rules.
const (
	ResourceApp       = "App"
	ResourceAppObject = "App.Object"
)

// RuleAction returns the resource type and action a call is checked
// against in the access rules ("" when the rules do not govern it).
func RuleAction(c Call) (resourceType, action string) {
	switch c.Class {
	case "Global":
		switch c.Method {
		case "CreateApp", "CreateDocEx", "CopyApp", "CreateSessionAppFromApp":
			return ResourceApp, "create"
		case "DeleteApp":
			return ResourceApp, "delete"
		case "OpenDoc", "GetDocList", "GetAppEntry":
			return ResourceApp, "read"
		case "ExportApp":
			return ResourceApp, "export"
		case "ReplaceAppFromID", "PublishApp", "SaveAs":
			return ResourceApp, "update"
		}
		return "", ""
	case "Doc":
		switch c.Method {
		case "DoReload", "DoReloadEx":
			return ResourceApp, "reload"
		case "SetScript", "CommitScript", "DoSave", "SaveAs", "SetAppProperties", "Publish", "SaveObjects",
			"CreateConnection", "ModifyConnection", "DeleteConnection", "AddAlternateState", "RemoveAlternateState",
			"TransformApp", "Scramble":
			return ResourceApp, "update"
		case "ExportReducedData":
			return ResourceApp, "export data"
		case "CreateObject", "GetOrCreateObject", "CloneObject", "CreateDimension", "CloneDimension", "CreateMeasure",
			"CloneMeasure", "CreateVariable", "CreateVariableEx", "CreateBookmark", "CreateBookmarkEx", "CloneBookmark",
			"CreateDraft":
			return ResourceAppObject, "create"
		case "DestroyObject", "DestroyDimension", "DestroyMeasure", "RemoveVariable", "DestroyVariableById",
			"DestroyVariableByName", "DestroyBookmark", "DestroyDraft":
			return ResourceAppObject, "delete"
		case "CreateSessionObject", "DestroySessionObject", "CreateSessionVariable", "DestroySessionVariable",
			"DestroySessionVariableById", "DestroySessionVariableByName":
			return "", ""
		}
		return ResourceApp, "read"
	}
	switch c.Method {
	case "ExportData":
		return ResourceAppObject, "export data"
	case "SetProperties", "ApplyPatches", "SetFullPropertyTree", "CreateChild", "DestroyChild", "DestroyAllChildren",
		"SetChildArrayOrder", "CopyFrom", "Publish", "UnPublish", "Approve", "UnApprove", "SetNxProperties",
		"CreateGroup", "AddGroupMembers", "RemoveGroupMembers", "RemoveGroup", "SetGroupLabel":
		if c.Session {
			return "", ""
		}
		return ResourceAppObject, "update"
	}
	return ResourceAppObject, "read"
}

// Authorizer decides calls: first the license access type (Professional
// vs Analyzer), then, if configured, the access rules (deny by default).
type Authorizer struct {
	// Rules is the access rule policy; nil leaves it to the license.
	Rules *rules.Policy
}

// Authorize returns nil when the user with the access may make the call
// on the resource, else a *Denial ("Access denied"). resource holds the
// resource's attributes for the rules (id, owner, _objecttype, app, ...);
// _resourcetype is set from the call.
func (z *Authorizer) Authorize(u *User, a license.Access, c Call, resource map[string]any) error {
	if !LicenseAllows(a, c) {
		return &Denial{Reason: fmt.Sprintf("%s.%s needs Professional access; the user has %s", c.Class, c.Method, a)}
	}
	if z == nil || z.Rules == nil {
		return nil
	}
	rt, action := RuleAction(c)
	if action == "" {
		return nil
	}
	res := map[string]any{}
	for k, v := range resource {
		res[k] = v
	}
	res["_resourcetype"] = rt
	d := z.Rules.Decide(rules.Request{User: u.RuleAttributes(), Resource: res, Action: action})
	if !d.Allowed {
		return &Denial{Reason: fmt.Sprintf("%s.%s (%s on %s): %s", c.Class, c.Method, action, rt, d.Reason)}
	}
	return nil
}
