package qix

import (
	"context"
	"errors"
	"fmt"

	"github.com/assocengine/assoc/engine"
)

// Error is a QIX error response: a LOCERR code, the detail (Parameter) and
// the generic message of the code, as the real engine sends them:
//
//	{"code":1007,"parameter":"No active document","message":"App invalid"}
type Error struct {
	Code      int
	Parameter string
	Message   string
}

// Error formats the error for logs.
func (e *Error) Error() string {
	return fmt.Sprintf("qix error %d (%s): %s", e.Code, e.Message, e.Parameter)
}

// QIX error codes used by this package (the LOCERR_* table of the OpenRPC
// spec; messages come from the embedded schema).
const (
	errParse          = -32700 // LOCERR_JSON_RPC_PARSE_ERROR
	errInvalidRequest = -32600 // LOCERR_JSON_RPC_INVALID_REQUEST
	errMethodNotFound = -32601 // LOCERR_JSON_RPC_METHOD_NOT_FOUND
	errInvalidParams  = -32602 // LOCERR_JSON_RPC_INVALID_PARAMETERS
	errInternal       = -32603 // LOCERR_JSON_RPC_INTERNAL_ERROR

	errNotFound       = 2  // LOCERR_GENERIC_NOT_FOUND
	errAlreadyExists  = 3  // LOCERR_GENERIC_ALREADY_EXISTS
	errInvalidPath    = 4  // LOCERR_GENERIC_INVALID_PATH
	errAccessDenied   = 5  // LOCERR_GENERIC_ACCESS_DENIED
	errInvalidArgs    = 8  // LOCERR_GENERIC_INVALID_PARAMETERS
	errAborted        = 15 // LOCERR_GENERIC_ABORTED
	errNotImplemented = 20 // LOCERR_GENERIC_NOT_IMPLEMENTED

	errAppExists      = 1000 // LOCERR_APP_ALREADY_EXISTS
	errAppInvalidName = 1001 // LOCERR_APP_INVALID_NAME
	errAppAlreadyOpen = 1002 // LOCERR_APP_ALREADY_OPEN
	errAppNotFound    = 1003 // LOCERR_APP_NOT_FOUND
	errAppSaveFailed  = 1005 // LOCERR_APP_SAVE_FAILED
	errAppInvalid     = 1007 // LOCERR_APP_INVALID

	errConnExists      = 2000 // LOCERR_CONNECTION_ALREADY_EXISTS
	errConnNotFound    = 2001 // LOCERR_CONNECTION_NOT_FOUND
	errConnInvalidName = 2004 // LOCERR_CONNECTION_NAME_IS_INVALID

	errHCTooLarge        = 6001 // LOCERR_HC_RESULT_TOO_LARGE
	errModal             = 6003 // LOCERR_HC_MODAL_OBJECT_ERROR
	errCalcInvalidDef    = 7000 // LOCERR_CALC_INVALID_DEF
	errCalcTooLarge      = 7003 // LOCERR_CALC_TOO_LARGE
	errCalcCondition     = 7005 // LOCERR_CALC_EVAL_CONDITION_FAILED
	errNotInLibrary      = 7001 // LOCERR_CALC_NOT_IN_LIB
	errPagesTooLarge     = 7009 // LOCERR_CALC_PAGES_TOO_LARGE
	errSessionAppSave    = 9009 // LOCERR_PERSISTENCE_NOT_SUPPORTED_FOR_SESSION_APP
	errReloadInProgress  = 11000
	errVariableNoName    = 18000 // LOCERR_VARIABLE_NO_NAME
	errVariableDuplicate = 18001 // LOCERR_VARIABLE_DUPLICATE_NAME
)

// qerr builds an Error with the generic message of code.
func qerr(code int, format string, args ...any) *Error {
	p := format
	if len(args) > 0 {
		p = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Parameter: p, Message: messageFor(code)}
}

// Go-level errors of the Engine API (CreateApp, NewSession ...).
var (
	// ErrAppExists: CreateApp with an id already in use.
	ErrAppExists = errors.New("app already exists")
	// ErrAppNotFound: no app has that id.
	ErrAppNotFound = errors.New("app not found")
	// ErrClosed: the engine or session was closed.
	ErrClosed = errors.New("closed")
	// ErrNoReloader: a reload was asked for but Options.Reload is nil.
	ErrNoReloader = errors.New("no reloader configured")
)

// asQIX maps any error from a handler to a QIX error.
func asQIX(err error) *Error {
	var qe *Error
	switch {
	case errors.As(err, &qe):
		return qe
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return qerr(errAborted, "%v", err)
	case errors.Is(err, engine.ErrFieldNotFound), errors.Is(err, engine.ErrStateNotFound),
		errors.Is(err, engine.ErrTableNotFound), errors.Is(err, engine.ErrValueNotFound),
		errors.Is(err, ErrAppNotFound):
		return qerr(errNotFound, "%v", err)
	case errors.Is(err, engine.ErrStateExists), errors.Is(err, ErrAppExists):
		return qerr(errAlreadyExists, "%v", err)
	}
	return qerr(errInternal, "%v", err)
}
