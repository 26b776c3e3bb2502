package qix

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/assocengine/assoc/engine"
)

// The app file (docs/format.md) is a header and a sequence of sections,
// each with its own checksums:
//
//	header   16 bytes: magic "ASSOCAPP", version, flags, CRC-32C
//	HEAD     JSON: id, title, last reload, save time (read alone by List)
//	SCPT     the load script, zstd
//	DATA     JSON, zstd: properties, objects, connections, states,
//	         variables, user variables, dimensions, measures, bookmarks
//	MODL     the data model: an engine snapshot (engine.ReadModel), which
//	         checksums its own bytes
//	END      empty; a file without it is truncated
//
// Readers skip unknown sections whose tag starts with a lower-case letter
// (additions a reader may ignore) and refuse unknown upper-case ones.

// AppFileVersion is the version of the app file format this build writes
// and the newest it reads.
const AppFileVersion = 1

// AppFileExt is the extension of app files in the document directory.
const AppFileExt = ".assoc"

// App file errors; test them with errors.Is.
var (
	// ErrAppFileCorrupt: the file is truncated, damaged or not an app file.
	ErrAppFileCorrupt = errors.New("corrupt app file")
	// ErrAppFileVersion: the file was written by a newer version of the
	// format than this build reads.
	ErrAppFileVersion = errors.New("app file written by a newer version")
)

const (
	appMagic          = "ASSOCAPP"
	appHeaderSize     = 16
	sectionHeaderSize = 32
	sectionZstd       = 1 << 0 // the payload is one zstd frame

	maxHeadBytes   = 1 << 20
	maxScriptBytes = 256 << 20
	maxDataBytes   = 1 << 30
)

var (
	tagHead   = [4]byte{'H', 'E', 'A', 'D'}
	tagScript = [4]byte{'S', 'C', 'P', 'T'}
	tagData   = [4]byte{'D', 'A', 'T', 'A'}
	tagModel  = [4]byte{'M', 'O', 'D', 'L'}
	tagEnd    = [4]byte{'E', 'N', 'D', ' '}
)

var appCRC = crc32.MakeTable(crc32.Castagnoli)

// AppReadOptions configure reading app files. The zero value works.
type AppReadOptions struct {
	// MaxModelBytes bounds the decompressed size of the data model
	// (0: no bound); see engine.ReadOptions.MaxBytes.
	MaxModelBytes int64
	// SkipModel reads past the data model without decoding it: the
	// snapshot's Model is nil (for a caller about to replace it).
	SkipModel bool
}

// appHead is the HEAD section.
type appHead struct {
	ID         string    `json:"id"`
	Title      string    `json:"title,omitempty"`
	LastReload time.Time `json:"lastReload,omitzero"`
	Saved      time.Time `json:"saved,omitzero"`
}

// appData is the DATA section: the app's JSON parts, kept verbatim.
type appData struct {
	Properties    json.RawMessage   `json:"properties,omitempty"`
	Objects       []json.RawMessage `json:"objects,omitempty"`
	Connections   []appConnection   `json:"connections,omitempty"`
	States        []string          `json:"states,omitempty"`
	Variables     map[string]string `json:"variables,omitempty"`
	UserVariables []json.RawMessage `json:"userVariables,omitempty"`
	Dimensions    []json.RawMessage `json:"dimensions,omitempty"`
	Measures      []json.RawMessage `json:"measures,omitempty"`
	Bookmarks     []json.RawMessage `json:"bookmarks,omitempty"`
}

type appConnection struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	ConnectionString string    `json:"connectionString,omitempty"`
	Type             string    `json:"type,omitempty"`
	UserName         string    `json:"userName,omitempty"`
	Password         string    `json:"password,omitempty"`
	Modified         time.Time `json:"modified,omitzero"`
	Path             string    `json:"path,omitempty"`
}

var (
	appEncoderOnce sync.Once
	appEncoder     *zstd.Encoder
	appDecoder     *zstd.Decoder
	appCodecErr    error
)

func appCodecs() (*zstd.Encoder, *zstd.Decoder, error) {
	appEncoderOnce.Do(func() {
		appEncoder, appCodecErr = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithZeroFrames(true))
		if appCodecErr != nil {
			return
		}
		appDecoder, appCodecErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(maxDataBytes), zstd.WithDecoderMaxWindow(64<<20))
	})
	return appEncoder, appDecoder, appCodecErr
}

// rawList converts JSON parts for the DATA section, refusing invalid JSON
// so that a file never holds what cannot be read back.
func rawList(what string, parts [][]byte) ([]json.RawMessage, error) {
	if parts == nil {
		return nil, nil
	}
	out := make([]json.RawMessage, len(parts))
	for i, p := range parts {
		if !json.Valid(p) {
			return nil, fmt.Errorf("%s %d is not valid JSON", what, i)
		}
		out[i] = p
	}
	return out, nil
}

func bytesList(parts []json.RawMessage) [][]byte {
	if parts == nil {
		return nil
	}
	out := make([][]byte, len(parts))
	for i, p := range parts {
		out[i] = []byte(p)
	}
	return out
}

func encodeData(app *AppSnapshot) ([]byte, error) {
	d := appData{States: app.States, Variables: app.Variables}
	if len(app.Properties) > 0 {
		if !json.Valid(app.Properties) {
			return nil, fmt.Errorf("the app properties are not valid JSON")
		}
		d.Properties = app.Properties
	}
	var err error
	lists := []struct {
		what string
		src  [][]byte
		dst  *[]json.RawMessage
	}{
		{"object", app.Objects, &d.Objects},
		{"variable", app.UserVariables, &d.UserVariables},
		{"dimension", app.Dimensions, &d.Dimensions},
		{"measure", app.Measures, &d.Measures},
		{"bookmark", app.Bookmarks, &d.Bookmarks},
	}
	for _, l := range lists {
		if *l.dst, err = rawList(l.what, l.src); err != nil {
			return nil, err
		}
	}
	for _, c := range app.Connections {
		d.Connections = append(d.Connections, appConnection(c))
	}
	return json.Marshal(d)
}

// sectionWriter writes sections and keeps the first error.
type sectionWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (s *sectionWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.n += int64(n)
	s.err = err
	return n, err
}

func sectionHeader(tag [4]byte, flags uint32, stored, raw uint64, payloadCRC uint32) []byte {
	h := make([]byte, sectionHeaderSize)
	copy(h, tag[:])
	binary.LittleEndian.PutUint32(h[4:], flags)
	binary.LittleEndian.PutUint64(h[8:], stored)
	binary.LittleEndian.PutUint64(h[16:], raw)
	binary.LittleEndian.PutUint32(h[24:], payloadCRC)
	binary.LittleEndian.PutUint32(h[28:], crc32.Checksum(h[:28], appCRC))
	return h
}

func (s *sectionWriter) section(tag [4]byte, raw []byte, compress bool) {
	payload, flags := raw, uint32(0)
	if compress {
		enc, _, err := appCodecs()
		if err != nil {
			s.err = err
			return
		}
		payload, flags = enc.EncodeAll(raw, nil), sectionZstd
	}
	s.Write(sectionHeader(tag, flags, uint64(len(payload)), uint64(len(raw)), crc32.Checksum(payload, appCRC)))
	s.Write(payload)
}

// WriteApp writes app as an app file to w and returns the bytes written.
// w must be seekable: the model section's header is written once the
// model has been streamed.
func WriteApp(w io.WriteSeeker, app *AppSnapshot) (int64, error) {
	if app == nil || app.ID == "" {
		return 0, fmt.Errorf("cannot write an app without an id")
	}
	n, err := writeApp(w, app)
	if err != nil {
		return n, fmt.Errorf("cannot write app %q: %w", app.ID, err)
	}
	return n, nil
}

func writeApp(w io.WriteSeeker, app *AppSnapshot) (int64, error) {
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	head, err := json.Marshal(appHead{ID: app.ID, Title: app.Title, LastReload: app.LastReload, Saved: now().UTC()})
	if err != nil {
		return 0, err
	}
	data, err := encodeData(app)
	if err != nil {
		return 0, err
	}
	if len(head) > maxHeadBytes || len(app.Script) > maxScriptBytes || len(data) > maxDataBytes {
		return 0, fmt.Errorf("the app is larger than app files hold (head %d, script %d, data %d bytes)", len(head), len(app.Script), len(data))
	}
	sw := &sectionWriter{w: bufio.NewWriterSize(w, 1<<20)}
	var hdr [appHeaderSize]byte
	copy(hdr[:], appMagic)
	binary.LittleEndian.PutUint16(hdr[8:], AppFileVersion)
	binary.LittleEndian.PutUint32(hdr[12:], crc32.Checksum(hdr[:12], appCRC))
	sw.Write(hdr[:])
	sw.section(tagHead, head, false)
	sw.section(tagScript, []byte(app.Script), true)
	sw.section(tagData, data, true)
	hook("sections")
	if app.Model != nil && sw.err == nil {
		at := sw.n
		sw.Write(make([]byte, sectionHeaderSize)) // placeholder
		n, err := app.Model.WriteTo(sw)
		if err != nil {
			return sw.n, err
		}
		hook("model")
		if sw.err == nil {
			sw.err = sw.w.Flush()
		}
		if sw.err != nil {
			return sw.n, sw.err
		}
		// The snapshot checksums every byte itself: the section's payload
		// checksum is zero.
		h := sectionHeader(tagModel, 0, uint64(n), uint64(n), 0)
		if _, err := w.Seek(start+at, io.SeekStart); err != nil {
			return sw.n, err
		}
		if _, err := w.Write(h); err != nil {
			return sw.n, err
		}
		if _, err := w.Seek(start+sw.n, io.SeekStart); err != nil {
			return sw.n, err
		}
	}
	sw.section(tagEnd, nil, false)
	if sw.err == nil {
		sw.err = sw.w.Flush()
	}
	return sw.n, sw.err
}

// appReader reads an app file's sections in order.
type appReader struct {
	r   io.Reader
	off int64
}

func (a *appReader) corrupt(off int64, format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s: %w", off, fmt.Sprintf(format, args...), ErrAppFileCorrupt)
}

func (a *appReader) full(b []byte, what string) error {
	n, err := io.ReadFull(a.r, b)
	a.off += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return a.corrupt(a.off, "truncated %s (%d of %d bytes)", what, n, len(b))
	}
	return err
}

// payload reads n bytes, growing the buffer as data arrives so a bad
// length never allocates much more than the file holds.
func (a *appReader) payload(n uint64, what string) ([]byte, error) {
	const step = 1 << 20
	var b []byte
	for uint64(len(b)) < n {
		k := int(min(n-uint64(len(b)), uint64(max(step, len(b)))))
		b = slices.Grow(b, k)
		if err := a.full(b[len(b):len(b)+k], what); err != nil {
			return nil, err
		}
		b = b[:len(b)+k]
	}
	return b, nil
}

type section struct {
	tag         [4]byte
	flags       uint32
	stored, raw uint64
	crc         uint32
	off         int64
}

func (a *appReader) header() error {
	var h [appHeaderSize]byte
	if err := a.full(h[:], "file header"); err != nil {
		return err
	}
	if string(h[:8]) != appMagic {
		return a.corrupt(0, "not an app file (magic %q)", h[:8])
	}
	// Every version keeps the magic, the version and the header checksum
	// where they are, so damage is told from a newer version.
	if crc32.Checksum(h[:12], appCRC) != binary.LittleEndian.Uint32(h[12:]) {
		return a.corrupt(12, "file header checksum mismatch")
	}
	v := binary.LittleEndian.Uint16(h[8:])
	if v > AppFileVersion {
		return fmt.Errorf("format version %d, this build reads up to version %d: %w", v, AppFileVersion, ErrAppFileVersion)
	}
	if v == 0 || binary.LittleEndian.Uint16(h[10:]) != 0 {
		return a.corrupt(8, "bad file header (version %d, flags %#x)", v, binary.LittleEndian.Uint16(h[10:]))
	}
	return nil
}

func (a *appReader) section() (section, error) {
	var h [sectionHeaderSize]byte
	s := section{off: a.off}
	if err := a.full(h[:], "section header"); err != nil {
		return s, err
	}
	if crc32.Checksum(h[:28], appCRC) != binary.LittleEndian.Uint32(h[28:]) {
		return s, a.corrupt(s.off, "section header checksum mismatch")
	}
	copy(s.tag[:], h[:4])
	s.flags = binary.LittleEndian.Uint32(h[4:])
	s.stored = binary.LittleEndian.Uint64(h[8:])
	s.raw = binary.LittleEndian.Uint64(h[16:])
	s.crc = binary.LittleEndian.Uint32(h[24:])
	if s.flags&^sectionZstd != 0 {
		return s, a.corrupt(s.off, "section %q has unknown flags %#x", s.tag[:], s.flags)
	}
	if s.flags == 0 && s.stored != s.raw {
		return s, a.corrupt(s.off, "section %q stores %d bytes of %d", s.tag[:], s.stored, s.raw)
	}
	return s, nil
}

// body reads a section's payload, checks it and decompresses it; raw
// sizes above limit are refused before anything is read.
func (a *appReader) body(s section, limit uint64) ([]byte, error) {
	if s.raw > limit || (s.flags&sectionZstd != 0 && s.stored > s.raw+s.raw/128+1024) {
		return nil, a.corrupt(s.off, "section %q of %d bytes (%d stored) exceeds the format's limits", s.tag[:], s.raw, s.stored)
	}
	p, err := a.payload(s.stored, fmt.Sprintf("section %q", s.tag[:]))
	if err != nil {
		return nil, err
	}
	if crc32.Checksum(p, appCRC) != s.crc {
		return nil, a.corrupt(s.off, "section %q checksum mismatch", s.tag[:])
	}
	if s.flags&sectionZstd == 0 {
		return p, nil
	}
	_, dec, err := appCodecs()
	if err != nil {
		return nil, err
	}
	out, err := dec.DecodeAll(p, make([]byte, 0, s.raw))
	if err != nil || uint64(len(out)) != s.raw {
		return nil, a.corrupt(s.off, "section %q does not decompress to its %d bytes", s.tag[:], s.raw)
	}
	return out, nil
}

// readHead reads the file header and the HEAD section.
func (a *appReader) readHead() (appHead, error) {
	var head appHead
	if err := a.header(); err != nil {
		return head, err
	}
	s, err := a.section()
	if err != nil {
		return head, err
	}
	if s.tag != tagHead {
		return head, a.corrupt(s.off, "the first section is %q, not HEAD", s.tag[:])
	}
	b, err := a.body(s, maxHeadBytes)
	if err != nil {
		return head, err
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return head, a.corrupt(s.off, "HEAD section: %v", err)
	}
	if head.ID == "" {
		return head, a.corrupt(s.off, "HEAD section has no app id")
	}
	return head, nil
}

// ReadApp reads an app file from r.
func ReadApp(r io.Reader, opts AppReadOptions) (*AppSnapshot, error) {
	app, err := readApp(r, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot read app file: %w", err)
	}
	return app, nil
}

func readApp(r io.Reader, opts AppReadOptions) (*AppSnapshot, error) {
	a := &appReader{r: r}
	head, err := a.readHead()
	if err != nil {
		return nil, err
	}
	app := &AppSnapshot{ID: head.ID, Title: head.Title, LastReload: head.LastReload}
	seen := map[[4]byte]bool{tagHead: true}
	for {
		s, err := a.section()
		if err != nil {
			return nil, err
		}
		if seen[s.tag] {
			return nil, a.corrupt(s.off, "section %q appears twice", s.tag[:])
		}
		seen[s.tag] = true
		switch s.tag {
		case tagEnd:
			if s.stored != 0 || s.crc != crc32.Checksum(nil, appCRC) {
				return nil, a.corrupt(s.off, "END section is not empty")
			}
			return app, nil
		case tagScript:
			b, err := a.body(s, maxScriptBytes)
			if err != nil {
				return nil, err
			}
			app.Script = string(b)
		case tagData:
			b, err := a.body(s, maxDataBytes)
			if err != nil {
				return nil, err
			}
			if err := decodeData(b, app); err != nil {
				return nil, a.corrupt(s.off, "DATA section: %v", err)
			}
		case tagModel:
			if s.flags != 0 || s.crc != 0 {
				return nil, a.corrupt(s.off, "MODL section has flags %#x and checksum %#x, not zero", s.flags, s.crc)
			}
			lr := &io.LimitedReader{R: a.r, N: int64(min(s.stored, 1<<62))}
			if opts.SkipModel {
				n, err := io.Copy(io.Discard, lr)
				a.off += n
				if err != nil {
					return nil, err
				}
				if uint64(n) != s.stored {
					return nil, a.corrupt(a.off, "truncated MODL section (%d of %d bytes)", n, s.stored)
				}
				continue
			}
			m, err := engine.ReadModel(lr, engine.ReadOptions{MaxBytes: opts.MaxModelBytes})
			a.off += int64(s.stored) - lr.N
			if err != nil {
				if errors.Is(err, engine.ErrSnapshotCorrupt) {
					return nil, fmt.Errorf("MODL section at byte %d: %w: %w", s.off, err, ErrAppFileCorrupt)
				}
				return nil, fmt.Errorf("MODL section at byte %d: %w", s.off, err)
			}
			if lr.N != 0 {
				return nil, a.corrupt(s.off, "MODL section has %d bytes after the model", lr.N)
			}
			app.Model = m
		default:
			if s.tag[0] < 'a' || s.tag[0] > 'z' {
				return nil, a.corrupt(s.off, "unknown section %q (written by a newer version?)", s.tag[:])
			}
			if _, err := a.body(s, maxDataBytes); err != nil {
				return nil, err
			}
		}
	}
}

func decodeData(b []byte, app *AppSnapshot) error {
	var d appData
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	if len(d.Properties) > 0 {
		app.Properties = []byte(d.Properties)
	}
	app.Objects = bytesList(d.Objects)
	app.UserVariables = bytesList(d.UserVariables)
	app.Dimensions = bytesList(d.Dimensions)
	app.Measures = bytesList(d.Measures)
	app.Bookmarks = bytesList(d.Bookmarks)
	app.States = d.States
	app.Variables = d.Variables
	for _, c := range d.Connections {
		app.Connections = append(app.Connections, Connection(c))
	}
	return nil
}

// ReadAppFile reads the app file at path.
func ReadAppFile(path string, opts AppReadOptions) (*AppSnapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read app file: %w", err)
	}
	defer f.Close()
	app, err := readApp(bufio.NewReaderSize(f, 1<<20), opts)
	if err != nil {
		return nil, fmt.Errorf("cannot read app file %s: %w", path, err)
	}
	return app, nil
}

// ReadAppInfo reads the header of the app file at path: the app's id,
// title and last reload, with the file's size and modification time.
func ReadAppInfo(path string) (AppInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return AppInfo{}, fmt.Errorf("cannot read app file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return AppInfo{}, fmt.Errorf("cannot read app file: %w", err)
	}
	a := &appReader{r: bufio.NewReaderSize(f, 4096)}
	head, err := a.readHead()
	if err != nil {
		return AppInfo{}, fmt.Errorf("cannot read app file %s: %w", path, err)
	}
	return AppInfo{ID: head.ID, Title: head.Title, LastReload: head.LastReload, Modified: st.ModTime(), Size: st.Size()}, nil
}

// WriteAppFile writes app to path atomically: into a temporary file in the
// same directory, synced to disk, renamed over path, and the directory
// synced, so path holds either the previous file or the new one, whole,
// whatever happens (a crash, a full disk, a kill).
func WriteAppFile(path string, app *AppSnapshot) error {
	if app == nil || app.ID == "" {
		return fmt.Errorf("cannot write an app without an id")
	}
	if err := writeAppFile(path, app); err != nil {
		return fmt.Errorf("cannot save app %q to %s: %w", app.ID, path, err)
	}
	return nil
}

// tempPrefix starts the names of the temporary files of saves in
// progress; List skips them.
const tempPrefix = ".assoc-save-"

func writeAppFile(path string, app *AppSnapshot) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+"*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	hook("temp")
	if _, err = writeApp(f, app); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	hook("synced")
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	hook("renamed")
	return syncDir(dir)
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("cannot sync directory %s: %w", dir, err)
	}
	return nil
}

// saveHook, when set by tests, is called at each stage of a save
// ("temp", "sections", "model", "synced", "renamed") so that a test can
// stop or kill the process there.
var saveHook func(stage string)

func hook(stage string) {
	if saveHook != nil {
		saveHook(stage)
	}
}
