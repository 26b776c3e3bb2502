package engine

import "errors"

// Sentinel errors; wrap them with context and test with errors.Is.
var (
	// ErrFieldNotFound: no field has that name.
	ErrFieldNotFound = errors.New("field not found")
	// ErrTableNotFound: no table has that name.
	ErrTableNotFound = errors.New("table not found")
	// ErrStateNotFound: no selection state has that name.
	ErrStateNotFound = errors.New("state not found")
	// ErrStateExists: AddState with a name already in use.
	ErrStateExists = errors.New("state already exists")
	// ErrValueNotFound: a value or element number not in the field.
	ErrValueNotFound = errors.New("value not in field")
	// ErrLocked: a selection would change or clear a locked field.
	ErrLocked = errors.New("field is locked")
	// ErrInvalidModel: the builder was given inconsistent tables.
	ErrInvalidModel = errors.New("invalid data model")
)
