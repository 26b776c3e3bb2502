package license

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// MongoOptions configure a MongoStore. The zero value works.
type MongoOptions struct {
	// Database is used when the URI names none; default "assoc".
	Database string
	// Collection holds the states; default "licenseState".
	Collection string
	// Timeout bounds connecting and each operation without a deadline of
	// its own; default 10 s.
	Timeout time.Duration
}

// MongoStore is a Store in MongoDB (the seed's mongodb.uri, for example
// mongodb://user:password@host:27017/db?ssl=false), shared by every engine
// pod of a deployment. Each key id is one document {_id, rev, state}; a
// save is a conditional update on rev, so concurrent engines never lose
// each other's changes.
type MongoStore struct {
	client  *mongo.Client
	coll    *mongo.Collection
	timeout time.Duration
}

var _ Store = (*MongoStore)(nil)

// OpenMongoStore connects to MongoDB and checks that it answers. The URI's
// ssl (or tls) parameter turns TLS on or off; its path names the database.
// Errors never show the URI's password.
func OpenMongoStore(ctx context.Context, uri string, opts MongoOptions) (*MongoStore, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return nil, fmt.Errorf("cannot open the license state store: mongodb.uri is invalid: %s", redact(err.Error(), uri))
	}
	db := cs.Database
	if db == "" {
		db = opts.Database
	}
	if db == "" {
		db = "assoc"
	}
	collName := opts.Collection
	if collName == "" {
		collName = "licenseState"
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	where := strings.Join(cs.Hosts, ",") + "/" + db
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(timeout).
		SetServerSelectionTimeout(timeout).SetConnectTimeout(timeout).SetAppName("assoc-license"))
	if err != nil {
		return nil, fmt.Errorf("cannot open the license state store at mongodb %s: %s", where, redact(err.Error(), uri))
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("cannot reach the license state store at mongodb %s: %s", where, redact(err.Error(), uri))
	}
	coll := client.Database(db).Collection(collName)
	// Load reads a key's latest revision; the index keeps that cheap. A
	// user without the right to create indexes still works, only slower.
	_, _ = coll.Indexes().CreateOne(pctx, mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}, {Key: "rev", Value: -1}}})
	return &MongoStore{client: client, coll: coll, timeout: timeout}, nil
}

// redact removes the URI (and its password) from a driver message.
func redact(msg, uri string) string {
	msg = strings.ReplaceAll(msg, uri, "<mongodb.uri>")
	if cs, err := connstring.Parse(uri); err == nil && cs.Password != "" {
		msg = strings.ReplaceAll(msg, cs.Password, "<password>")
	}
	return msg
}

// mongoDoc is one revision of a key's state. Every save inserts the next
// revision under a unique _id ("<keyId>@<rev>"), so two engines that save
// from the same revision cannot both succeed: the second insert is a
// duplicate key, which any MongoDB-wire server enforces atomically (a
// conditional update is not atomic on every server that speaks the wire
// protocol). Revisions older than PruneAfter are deleted.
type mongoDoc struct {
	ID    string    `bson:"_id"`
	Key   string    `bson:"key"`
	Rev   int64     `bson:"rev"`
	State string    `bson:"state"`
	Saved time.Time `bson:"saved"`
}

// PruneAfter is how old a revision of a key's state must be before a save
// deletes it (never the two newest).
const PruneAfter = 5 * time.Minute

func docID(keyID string, rev int64) string { return keyID + "@" + strconv.FormatInt(rev, 10) }

func (m *MongoStore) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, m.timeout)
}

// Load implements Store.
func (m *MongoStore) Load(ctx context.Context, keyID string) ([]byte, int64, error) {
	ctx, cancel := m.opCtx(ctx)
	defer cancel()
	raw, err := m.coll.FindOne(ctx, bson.D{{Key: "key", Value: keyID}},
		options.FindOne().SetSort(bson.D{{Key: "rev", Value: -1}})).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the license state of %q from mongodb: %w", keyID, err)
	}
	var d mongoDoc
	if err := bson.Unmarshal(raw, &d); err != nil || d.Rev < 1 || d.ID != docID(keyID, d.Rev) {
		return []byte(raw.String()), CorruptRev, nil
	}
	return []byte(d.State), d.Rev, nil
}

// Save implements Store.
func (m *MongoStore) Save(ctx context.Context, keyID string, data []byte, rev int64) (int64, error) {
	ctx, cancel := m.opCtx(ctx)
	defer cancel()
	if rev == CorruptRev {
		// Nothing readable to build on: start the key's history afresh.
		if _, err := m.coll.DeleteMany(ctx, bson.D{{Key: "key", Value: keyID}}); err != nil {
			return 0, fmt.Errorf("cannot remove the corrupt license state of %q from mongodb: %w", keyID, err)
		}
		rev = 0
	}
	next := rev + 1
	_, err := m.coll.InsertOne(ctx, mongoDoc{ID: docID(keyID, next), Key: keyID, Rev: next, State: string(data), Saved: time.Now().UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return 0, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("cannot save the license state of %q to mongodb: %w", keyID, err)
	}
	// History is pruned, but only revisions saved PruneAfter ago: a writer
	// saves right after it loads, so none builds on a revision that old, and
	// the duplicate key still catches every concurrent save.
	_, _ = m.coll.DeleteMany(ctx, bson.D{{Key: "key", Value: keyID}, {Key: "rev", Value: bson.D{{Key: "$lt", Value: rev}}},
		{Key: "saved", Value: bson.D{{Key: "$lt", Value: time.Now().UTC().Add(-PruneAfter)}}}})
	return next, nil
}

// Close disconnects from MongoDB.
func (m *MongoStore) Close(ctx context.Context) error {
	return m.client.Disconnect(ctx)
}
