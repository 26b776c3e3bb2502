package engine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/symbols"
)

var updateSnapshot = flag.Bool("update-snapshot", false, "rewrite testdata/snapshot/v1.model")

// writeSnap returns the snapshot of m cut into chunks of about target raw
// bytes (0: the default).
func writeSnap(t testing.TB, m *Model, target int) []byte {
	t.Helper()
	if target == 0 {
		target = targetChunkRaw
	}
	var buf bytes.Buffer
	n, err := m.writeSnapshot(&buf, SnapshotOptions{}, target)
	require.NoError(t, err)
	require.Equal(t, int64(buf.Len()), n)
	return buf.Bytes()
}

func readSnap(b []byte) (*Model, error) {
	return ReadModel(bytes.NewReader(b), ReadOptions{})
}

// scenarioModel builds the model of the tables of a selection scenario in
// testdata (the format of script_test.go).
func scenarioModel(t *testing.T, file string) *Model {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	b := NewBuilder(Options{})
	sc := bufio.NewScanner(f)
	var tb *TableBuilder
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if tb != nil {
			if line == "end" {
				tb = nil
				continue
			}
			var vals []any
			for _, v := range strings.Split(line, ",") {
				vals = append(vals, parseCell(strings.TrimSpace(v)))
			}
			require.NoError(t, tb.Append(vals...))
			continue
		}
		words := strings.Fields(line)
		switch words[0] {
		case "table":
			require.True(t, sc.Scan())
			var names []string
			for _, n := range strings.Split(sc.Text(), ",") {
				names = append(names, strings.TrimSpace(n))
			}
			tb, err = b.NewTable(words[1], names...)
			require.NoError(t, err)
		case "loosen":
			b.Loosen(words[1])
		}
	}
	require.NoError(t, sc.Err())
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

// oddValuesModel has the values a symbol table must keep exactly: -0,
// infinities, extremes, duals, empty and non-ASCII texts, invalid UTF-8,
// JSON escapes, NULLs, a zero-row table, a loose table, a synthetic key,
// tags and a text longer than a chunk.
func oddValuesModel(t testing.TB, p symbols.Policy) *Model {
	t.Helper()
	b := NewBuilder(Options{Packing: p})
	tb, err := b.NewTable("Values", "Key", "Value", "Note")
	require.NoError(t, err)
	vals := []any{
		symbols.NumText(math.Copysign(0, -1), "-0"), math.Inf(1), math.Inf(-1), math.MaxFloat64,
		math.SmallestNonzeroFloat64, symbols.NumText(1000, "1,000.00"), symbols.NumText(1000.5, ""),
		"", "Ünïcødé ☃ 😀", "\xff\xfe invalid", "quote \" backslash \\ newline \n tab \t \u2028 \x01",
		nil, strings.Repeat("long text ", 5000), 42, int64(-7), 3.25,
	}
	for i, v := range vals {
		var note any
		if i%3 == 0 {
			note = "n" + strconv.Itoa(i%5)
		}
		require.NoError(t, tb.Append(i, v, note))
	}
	_, err = b.NewTable("Empty", "Key", "Nothing")
	require.NoError(t, err)
	// A synthetic key: A and B share K1 and K2.
	ta, err := b.NewTable("A", "K1", "K2", "AVal")
	require.NoError(t, err)
	tbb, err := b.NewTable("B", "K1", "K2", "BVal")
	require.NoError(t, err)
	for i := range 50 {
		require.NoError(t, ta.Append(i%7, i%3, "a"+strconv.Itoa(i)))
		require.NoError(t, tbb.Append(i%5, i%3, float64(i)/4))
	}
	lt, err := b.NewTable("Loose", "Key", "Note", "Extra")
	require.NoError(t, err)
	for i := range 20 {
		require.NoError(t, lt.Append(i, "n"+strconv.Itoa(i%5), i*i))
	}
	b.Loosen("Loose")
	b.TagField("Value", "$custom", "$date")
	m, err := b.Build()
	require.NoError(t, err)
	require.NotEmpty(t, m.Warnings())
	return m
}

// impliedModel has large fields whose texts are renderings of their
// numbers (which Freeze drops), with a few texts that are not.
func impliedModel(t testing.TB) *Model {
	t.Helper()
	b := NewBuilder(Options{})
	tb, err := b.NewTable("Events", "ID", "When", "Amount", "Note")
	require.NoError(t, err)
	base := time.Date(2020, 2, 28, 23, 0, 0, 0, time.UTC)
	words := strings.Fields("final deposits sleep furiously among ironic packages regular accounts boost blithely")
	for i := range 8000 {
		// Notes: over 1 MiB of texts from few words, which Freeze compresses.
		var note strings.Builder
		for k := range 24 {
			note.WriteString(words[(i>>k+k*7)%len(words)])
			note.WriteByte(' ')
		}
		note.WriteString(strconv.Itoa(i))
		when := base.Add(time.Duration(i*7) * time.Minute)
		var w any = symbols.NumText(float64(when.Unix())/86400+25569, when.Format("2006-01-02 15:04"))
		var amount any = float64(i%2000) / 4
		if i%700 == 3 {
			w, amount = "unknown", "n/a"
		}
		require.NoError(t, tb.Append(i*3, w, amount, note.String()))
	}
	m, err := b.Build()
	require.NoError(t, err)
	note, err := m.Field("Note")
	require.NoError(t, err)
	require.Less(t, note.Symbols.Bytes(), int64(8000*150/2), "the notes are compressed")
	return m
}

// wideModel has one field per cardinality, so its columns cover every
// encoding and many packed widths, with rows not a multiple of 64.
func wideModel(t testing.TB, p symbols.Policy, rows int) *Model {
	return wideModelUpTo(t, p, rows, math.MaxInt)
}

// wideModelUpTo is wideModel without the fields of more than maxCard
// symbols.
func wideModelUpTo(t testing.TB, p symbols.Policy, rows, maxCard int) *Model {
	t.Helper()
	b := NewBuilder(Options{Packing: p})
	var cards []int
	for _, c := range []int{0, 1, 2, 3, 7, 63, 64, 200, 255, 256, 257, 1000, 4095, 4096, 5000, 65535, 65536, 70000} {
		if c <= maxCard {
			cards = append(cards, c)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var names []string
	var cols []*symbols.Column
	for _, card := range cards {
		name := fmt.Sprintf("C%d", card)
		syms := b.Symbols(name)
		for i := range card {
			if i%2 == 0 {
				syms.InternNum(float64(i), "")
			} else {
				syms.InternText("t" + strconv.Itoa(i))
			}
		}
		codes := make([]uint32, rows)
		for r := range codes {
			codes[r] = uint32(rng.IntN(card + 1)) // 0 is NULL
			if card > 0 && r < card {
				codes[r] = uint32(r + 1) // every symbol used, so Build keeps them all
			}
		}
		names = append(names, name)
		cols = append(cols, symbols.Pack(codes, uint32(card), symbols.Bytes))
	}
	require.NoError(t, b.AddTable("Wide", names, cols))
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

// snapRandomModel builds a random model from a seed: random tables over a
// pool of fields, random values and NULLs, larger than diff_test.go's
// randomModel (which ms also takes, for its loops and synthetic keys).
func snapRandomModel(t testing.TB, seed uint64) *Model {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	b := NewBuilder(Options{Packing: symbols.Policy(rng.IntN(2)), NoSystemTables: rng.IntN(4) == 0})
	pool := []string{"a", "b", "c", "d", "e", "f", "g"}
	ntables := rng.IntN(5)
	for ti := range ntables {
		perm := rng.Perm(len(pool))
		nf := 1 + rng.IntN(4)
		var fields []string
		for _, i := range perm[:nf] {
			fields = append(fields, pool[i])
		}
		tb, err := b.NewTable("T"+strconv.Itoa(ti), fields...)
		require.NoError(t, err)
		rows := rng.IntN(300)
		card := 1 + rng.IntN(100)
		for range rows {
			vals := make([]any, nf)
			for k := range vals {
				switch rng.IntN(6) {
				case 0:
					vals[k] = nil
				case 1, 2:
					vals[k] = rng.IntN(card)
				case 3:
					vals[k] = float64(rng.IntN(card)) / 8
				default:
					vals[k] = "v" + strconv.Itoa(rng.IntN(card))
				}
			}
			require.NoError(t, tb.Append(vals...))
		}
		if rng.IntN(5) == 0 {
			b.Loosen(tb.t.name)
		}
	}
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

type namedModel struct {
	name string
	m    *Model
}

func testModels(t *testing.T) []namedModel {
	t.Helper()
	empty, err := NewBuilder(Options{NoSystemTables: true}).Build()
	require.NoError(t, err)
	ms := []namedModel{
		{"empty", empty},
		{"odd/compact", oddValuesModel(t, symbols.Compact)},
		{"odd/bytes", oddValuesModel(t, symbols.Bytes)},
		{"wide/compact", wideModel(t, symbols.Compact, 70_001)},
		{"wide/bytes", wideModel(t, symbols.Bytes, 70_001)},
		{"implied", impliedModel(t)},
	}
	files, err := filepath.Glob("testdata/*.test")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		ms = append(ms, namedModel{"scenario/" + filepath.Base(f), scenarioModel(t, f)})
	}
	for seed := range uint64(20) {
		ms = append(ms, namedModel{"random/" + strconv.FormatUint(seed, 10), snapRandomModel(t, seed)})
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 40 {
		m, _ := randomModel(t, rng)
		ms = append(ms, namedModel{"diff-random/" + strconv.Itoa(i), m})
	}
	return ms
}

// requireSameModel compares everything a model holds, internal indexes
// and the association graph included.
func requireSameModel(t *testing.T, want, got *Model) {
	t.Helper()
	require.Equal(t, want.policy, got.policy)
	require.Equal(t, want.warnings, got.warnings)
	require.Len(t, got.fields, len(want.fields))
	for i, wf := range want.fields {
		gf := got.fields[i]
		require.Equal(t, wf.Name, gf.Name)
		require.Equal(t, wf.Index, gf.Index)
		require.Equal(t, wf.Tags, gf.Tags, "tags of %s", wf.Name)
		require.Equal(t, wf.System, gf.System)
		require.Equal(t, wf.Synthetic, gf.Synthetic)
		require.Equal(t, wf.tables, gf.tables, "tables of %s", wf.Name)
		require.Equal(t, wf.total, gf.total, "total of %s", wf.Name)
		require.Same(t, gf, got.fieldByName[gf.Name])
		requireSameSymbols(t, wf.Symbols, gf.Symbols, wf.Name)
	}
	require.Len(t, got.tables, len(want.tables))
	for i, wt := range want.tables {
		gt := got.tables[i]
		require.Equal(t, wt.Name, gt.Name)
		require.Equal(t, wt.Index, gt.Index)
		require.Equal(t, wt.Fields, gt.Fields)
		require.Equal(t, wt.Rows, gt.Rows)
		require.Equal(t, [3]bool{wt.Loose, wt.System, wt.Synthetic}, [3]bool{gt.Loose, gt.System, gt.Synthetic})
		require.Same(t, gt, got.tableByName[gt.Name])
		for k, wc := range wt.Columns {
			gc := gt.Columns[k]
			what := wt.Name + "." + want.fields[wt.Fields[k]].Name
			require.Equal(t, wc.Encoding(), gc.Encoding(), what)
			require.Equal(t, wc.Bits(), gc.Bits(), what)
			require.Equal(t, wc.MaxCode(), gc.MaxCode(), what)
			require.Equal(t, wc.Len(), gc.Len(), what)
			require.Equal(t, wc.U8(), gc.U8(), what)
			require.Equal(t, wc.U16(), gc.U16(), what)
			require.Equal(t, wc.U32(), gc.U32(), what)
			require.Equal(t, wc.Words(), gc.Words(), what)
		}
	}
	require.Len(t, got.fieldByName, len(want.fieldByName))
	require.Len(t, got.tableByName, len(want.tableByName))
	require.Equal(t, want.g, got.g, "association graph")
}

func requireSameSymbols(t *testing.T, want, got *symbols.Table, field string) {
	t.Helper()
	require.Equal(t, want.Len(), got.Len(), "symbols of %s", field)
	for id := range uint32(want.Len()) {
		require.Equal(t, want.Text(id), got.Text(id), "%s symbol %d", field, id)
		require.Equal(t, math.Float64bits(want.Num(id)), math.Float64bits(got.Num(id)), "%s symbol %d", field, id)
		require.Equal(t, want.AppendJSON(nil, id), got.AppendJSON(nil, id), "%s symbol %d", field, id)
		d := want.Dual(id)
		gid, ok := got.Lookup(d)
		require.True(t, ok, "%s symbol %d lookup", field, id)
		require.Equal(t, id, gid)
	}
	require.Equal(t, want.NumericCount(), got.NumericCount())
	require.Equal(t, want.IntegerCount(), got.IntegerCount())
	require.Equal(t, want.ASCII(), got.ASCII())
}

// requireSameBehaviour selects values in both models and compares the
// states of every field.
func requireSameBehaviour(t *testing.T, want, got *Model, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	sw, sg := NewSession(want, SessionOptions{}), NewSession(got, SessionOptions{})
	for range 5 {
		var f *Field
		for _, cand := range want.fields {
			if cand.Cardinal() > 0 && rng.IntN(2) == 0 {
				f = cand
			}
		}
		if f == nil {
			return
		}
		v := f.Symbols.Dual(uint32(rng.IntN(f.Cardinal())))
		okw, errw := sw.SelectValues(DefaultState, f.Name, []FieldValue{valueOf(v)}, true, false)
		okg, errg := sg.SelectValues(DefaultState, f.Name, []FieldValue{valueOf(v)}, true, false)
		require.Equal(t, errw == nil, errg == nil)
		require.Equal(t, okw, okg)
		rw, err := sw.Result(DefaultState)
		require.NoError(t, err)
		rg, err := sg.Result(DefaultState)
		require.NoError(t, err)
		for fi := range want.fields {
			require.Equal(t, rw.FieldStates(fi), rg.FieldStates(fi), "states of %s after selecting %s=%q", want.fields[fi].Name, f.Name, v.Text)
		}
	}
}

func valueOf(d symbols.Dual) FieldValue {
	if d.IsNum() {
		return FieldValue{Text: d.Text, Number: d.Num, IsNumeric: true}
	}
	return FieldValue{Text: d.Text}
}

func TestSnapshotRoundTrip(t *testing.T) {
	for i, nm := range testModels(t) {
		t.Run(nm.name, func(t *testing.T) {
			stats := nm.m.Stats() // before lookups rebuild any index
			for _, target := range []int{0, 300} {
				data := writeSnap(t, nm.m, target)
				got, err := readSnap(data)
				require.NoError(t, err)
				// The model read is frozen as a built one is (its
				// columns may have less spare capacity).
				require.Equal(t, stats.SymbolBytes, got.Stats().SymbolBytes)
				requireSameModel(t, nm.m, got)
				// Writing the model read gives the same bytes: nothing is
				// lost or reordered.
				require.Equal(t, data, writeSnap(t, got, target))
				requireSameBehaviour(t, nm.m, got, uint64(i))
			}
		})
	}
}

func TestSnapshotReadsExactly(t *testing.T) {
	m := oddValuesModel(t, symbols.Compact)
	data := writeSnap(t, m, 200)
	r := bytes.NewReader(append(append([]byte(nil), data...), "tail"...))
	_, err := ReadModel(r, ReadOptions{})
	require.NoError(t, err)
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, "tail", string(rest), "ReadModel must stop at the trailer")
}

// TestSnapshotTruncated cuts a many-chunk snapshot at every byte: each
// cut must be a clear corruption error.
func TestSnapshotTruncated(t *testing.T) {
	data := writeSnap(t, oddValuesModel(t, symbols.Compact), 100)
	for n := range len(data) {
		_, err := readSnap(data[:n])
		require.ErrorIs(t, err, ErrSnapshotCorrupt, "cut at %d of %d", n, len(data))
		require.Contains(t, err.Error(), "cannot read model snapshot")
	}
}

// TestSnapshotFlipped damages every byte of a snapshot in turn: every
// change is caught by a checksum or a check.
func TestSnapshotFlipped(t *testing.T) {
	data := writeSnap(t, snapRandomModel(t, 3), 64)
	bad := make([]byte, len(data))
	for i := range data {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			copy(bad, data)
			bad[i] ^= x
			_, err := readSnap(bad)
			require.ErrorIs(t, err, ErrSnapshotCorrupt, "byte %d ^ %#x", i, x)
		}
	}
}

func TestSnapshotFutureVersion(t *testing.T) {
	data := writeSnap(t, oddValuesModel(t, symbols.Compact), 0)
	binary.LittleEndian.PutUint16(data[8:], SnapshotVersion+1)
	binary.LittleEndian.PutUint32(data[28:], crc(data[:28]))
	_, err := readSnap(data)
	require.ErrorIs(t, err, ErrSnapshotVersion)
	require.Contains(t, err.Error(), "format version 2, this build reads up to version 1")
	require.NotErrorIs(t, err, ErrSnapshotCorrupt)
}

func TestSnapshotNotASnapshot(t *testing.T) {
	for _, in := range []string{"", "hello", "PK\x03\x04 a zip file, not a snapshot at all......"} {
		_, err := readSnap([]byte(in))
		require.ErrorIs(t, err, ErrSnapshotCorrupt, "%q", in)
	}
}

func TestSnapshotMaxBytes(t *testing.T) {
	m := wideModel(t, symbols.Compact, 5000)
	data := writeSnap(t, m, 0)
	_, err := ReadModel(bytes.NewReader(data), ReadOptions{MaxBytes: 10_000})
	require.ErrorIs(t, err, ErrSnapshotTooLarge)
	_, err = ReadModel(bytes.NewReader(data), ReadOptions{MaxBytes: 100 << 20})
	require.NoError(t, err)
}

// crafted is a snapshot assembled from parts with valid checksums, to test
// the checks behind the checksums.
type crafted struct {
	version uint16
	meta    []byte
	chunks  []craftedChunk
	trailer int // chunk count in the trailer; -1: len(chunks)
}

type craftedChunk struct {
	kind         byte
	ref          uint32
	first, count uint32
	raw          []byte
}

func (c crafted) bytes(t testing.TB) []byte {
	t.Helper()
	enc, err := encoder(CompressFastest)
	require.NoError(t, err)
	var out []byte
	comp := enc.EncodeAll(c.meta, nil)
	hdr := make([]byte, snapHeaderSize)
	copy(hdr, snapMagic)
	v := c.version
	if v == 0 {
		v = SnapshotVersion
	}
	binary.LittleEndian.PutUint16(hdr[8:], v)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(c.meta)))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(len(comp)))
	binary.LittleEndian.PutUint32(hdr[20:], crc(comp))
	binary.LittleEndian.PutUint32(hdr[28:], crc(hdr[:28]))
	out = append(append(out, hdr...), comp...)
	for _, ch := range c.chunks {
		p := enc.EncodeAll(ch.raw, nil)
		h := make([]byte, chunkHeaderSize)
		h[0] = ch.kind
		binary.LittleEndian.PutUint32(h[4:], ch.ref)
		binary.LittleEndian.PutUint32(h[8:], ch.first)
		binary.LittleEndian.PutUint32(h[12:], ch.count)
		binary.LittleEndian.PutUint32(h[16:], uint32(len(ch.raw)))
		binary.LittleEndian.PutUint32(h[20:], uint32(len(p)))
		binary.LittleEndian.PutUint32(h[24:], crc(p))
		binary.LittleEndian.PutUint32(h[28:], crc(h[:28]))
		out = append(append(out, h...), p...)
	}
	n := c.trailer
	if n < 0 {
		n = len(c.chunks)
	}
	tr := make([]byte, trailerSize)
	copy(tr, snapTrailerMagic)
	binary.LittleEndian.PutUint32(tr[8:], uint32(n))
	binary.LittleEndian.PutUint32(tr[12:], crc(tr[:12]))
	return append(out, tr...)
}

// metaOf builds a meta block: fields are name:nsymbols, tables are
// name:rows:flags with columns field:enc:bits:maxcode.
type mfield struct {
	name  string
	flags byte
	nsym  int
}
type mcol struct {
	field         int
	enc           symbols.Encoding
	bits, maxCode int
}
type mtable struct {
	name  string
	flags byte
	rows  int
	cols  []mcol
}

func metaOf(fields []mfield, tables []mtable) []byte {
	b := []byte{byte(symbols.Compact)}
	str := func(s string) { b = append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		str(f.name)
		b = append(b, f.flags, 0)
		b = binary.AppendUvarint(b, uint64(f.nsym))
	}
	b = binary.AppendUvarint(b, uint64(len(tables)))
	for _, t := range tables {
		str(t.name)
		b = append(b, t.flags)
		b = binary.AppendUvarint(b, uint64(t.rows))
		b = binary.AppendUvarint(b, uint64(len(t.cols)))
		for _, c := range t.cols {
			b = binary.AppendUvarint(b, uint64(c.field))
			b = append(b, byte(c.enc), byte(c.bits))
			b = binary.AppendUvarint(b, uint64(c.maxCode))
		}
	}
	return append(b, 0)
}

// symRaw is the raw form of a symbol chunk, built by hand so that
// duplicates can be written.
func symRaw(vals ...symbols.Dual) []byte {
	n := len(vals)
	raw := make([]byte, (n+7)/8)
	for i, v := range vals {
		if v.IsNum() {
			raw[i/8] |= 1 << (i % 8)
		}
	}
	for _, v := range vals {
		if v.IsNum() {
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v.Num))
		}
	}
	for _, v := range vals {
		raw = binary.AppendUvarint(raw, uint64(len(v.Text)))
	}
	for _, v := range vals {
		raw = append(raw, v.Text...)
	}
	return raw
}

func TestSnapshotCrafted(t *testing.T) {
	two := []mfield{{name: "F", nsym: 2}}
	okTable := []mtable{{name: "T", rows: 3, cols: []mcol{{0, symbols.Packed, 2, 2}}}}
	okSyms := craftedChunk{kind: chunkSymbols, ref: 0, first: 0, count: 2, raw: symRaw(symbols.Text("a"), symbols.Number(1))}
	packed := func(codes ...uint32) []byte {
		c := symbols.Pack(codes, 2, symbols.Compact)
		return binary.LittleEndian.AppendUint64(nil, c.Words()[0])
	}
	okCol := craftedChunk{kind: chunkColumn, ref: 0, first: 0, count: 3, raw: packed(1, 2, 0)}
	nanRaw := binary.LittleEndian.AppendUint64([]byte{0b10}, math.Float64bits(math.NaN()))
	nanRaw = append(nanRaw, 1, 1, 'a', 'x')
	good := crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okSyms, okCol}, trailer: -1}
	m, err := readSnap(good.bytes(t))
	require.NoError(t, err, "the crafted baseline must be valid")
	require.Equal(t, 2, m.fields[0].total)

	tests := []struct {
		name string
		c    crafted
		want string
	}{
		{"duplicate field", crafted{meta: metaOf([]mfield{{name: "F"}, {name: "F"}}, nil), trailer: -1}, `field "F" appears twice`},
		{"empty field name", crafted{meta: metaOf([]mfield{{name: ""}}, nil), trailer: -1}, "has no name"},
		{"unknown field flags", crafted{meta: metaOf([]mfield{{name: "F", flags: 0x80}}, nil), trailer: -1}, "unknown flags"},
		{"duplicate table", crafted{meta: metaOf(two, []mtable{okTable[0], okTable[0]}), trailer: -1}, `table "T" appears twice`},
		{"table without fields", crafted{meta: metaOf(two, []mtable{{name: "T", rows: 3}}), trailer: -1}, `table "T" has no fields`},
		{"field in no table", crafted{meta: metaOf([]mfield{{name: "F"}, {name: "G"}}, []mtable{{name: "T", cols: []mcol{{0, symbols.Packed, 1, 0}}}}), trailer: -1}, `field "G" is in no table`},
		{"column of missing field", crafted{meta: metaOf(two, []mtable{{name: "T", rows: 1, cols: []mcol{{5, symbols.U8, 8, 1}}}}), trailer: -1}, "refers to field 5"},
		{"field twice in a table", crafted{meta: metaOf(two, []mtable{{name: "T", cols: []mcol{{0, symbols.Packed, 2, 2}, {0, symbols.Packed, 2, 2}}}}), trailer: -1}, "holds field"},
		{"max code beyond symbols", crafted{meta: metaOf(two, []mtable{{name: "T", cols: []mcol{{0, symbols.Packed, 2, 3}}}}), trailer: -1}, "maximum code 3"},
		{"bits wrong", crafted{meta: metaOf(two, []mtable{{name: "T", cols: []mcol{{0, symbols.Packed, 5, 2}}}}), trailer: -1}, "packed encoding with 5 bits"},
		{"encoding unknown", crafted{meta: metaOf(two, []mtable{{name: "T", cols: []mcol{{0, 9, 5, 2}}}}), trailer: -1}, "unknown encoding"},
		{"encoding no policy makes", crafted{meta: metaOf(two, []mtable{{name: "T", cols: []mcol{{0, symbols.U16, 16, 2}}}}), trailer: -1}, "cannot hold"},
		{"too many rows", crafted{meta: metaOf(two, []mtable{{name: "T", rows: 1 << 40}}), trailer: -1}, "more than snapshots hold"},
		{"trailing meta bytes", crafted{meta: append(metaOf(nil, nil), 1), trailer: -1}, "unexpected bytes"},
		{"huge field count", crafted{meta: []byte{0, 0xff, 0xff, 0xff, 0xff, 0x0f}, trailer: -1}, "field count"},
		{"missing chunks", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okSyms}, trailer: -1}, "truncated chunk header"},
		{"chunk out of order", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okCol, okSyms}, trailer: -1}, "expected field"},
		{"wrong trailer count", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okSyms, okCol}, trailer: 7}, "trailer counts 7"},
		{"duplicate symbol", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{
			{kind: chunkSymbols, count: 2, raw: symRaw(symbols.Number(1), symbols.NumText(1, "1.0"))}, okCol}, trailer: -1}, "duplicates symbol 0"},
		{"NaN symbol", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{
			{kind: chunkSymbols, count: 2, raw: nanRaw}, okCol}, trailer: -1}, "symbol 1 has the number NaN"},
		{"number without text", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{
			{kind: chunkSymbols, count: 2, raw: symRaw(symbols.Text("a"), symbols.NumText(2, ""))}, okCol}, trailer: -1}, "has a number but no text"},
		{"symbol bytes left", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{
			{kind: chunkSymbols, count: 2, raw: append(symRaw(symbols.Text("a"), symbols.Number(1)), 'x')}, okCol}, trailer: -1}, "bytes left after the texts"},
		{"code beyond max code", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okSyms,
			{kind: chunkColumn, count: 3, raw: binary.LittleEndian.AppendUint64(nil, 3)}}, trailer: -1}, "holds code 3"},
		{"column raw size", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okSyms,
			{kind: chunkColumn, count: 3, raw: make([]byte, 16)}}, trailer: -1}, "16 raw bytes for 3 rows"},
		{"chunk too long", crafted{meta: metaOf(two, okTable), chunks: []craftedChunk{okSyms,
			{kind: chunkColumn, count: 4, raw: make([]byte, 8)}}, trailer: -1}, "holds 4 items"},
		{"cycle", crafted{meta: metaOf([]mfield{{name: "X"}, {name: "Y"}}, []mtable{
			{name: "A", rows: 0, cols: []mcol{{0, symbols.Packed, 1, 0}, {1, symbols.Packed, 1, 0}}},
			{name: "B", rows: 0, cols: []mcol{{0, symbols.Packed, 1, 0}, {1, symbols.Packed, 1, 0}}},
		}), trailer: -1}, "circular reference"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readSnap(tc.c.bytes(t))
			require.ErrorIs(t, err, ErrSnapshotCorrupt)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestSnapshotClaimsAreNotAllocated: a tiny snapshot that claims a huge
// table (and holds none of its rows) fails without allocating the rows.
func TestSnapshotClaimsAreNotAllocated(t *testing.T) {
	c := crafted{meta: metaOf([]mfield{{name: "F", nsym: 1 << 30}}, []mtable{
		{name: "T", rows: maxSnapshotRows, cols: []mcol{{0, symbols.U32, 32, 1 << 30}}},
	}), trailer: -1}
	data := c.bytes(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := readSnap(data)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrSnapshotCorrupt)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated for a %d-byte snapshot", len(data))
}

func TestSnapshotWriteError(t *testing.T) {
	m := wideModel(t, symbols.Compact, 20_000)
	full := writeSnap(t, m, 500)
	before := runtime.NumGoroutine()
	for _, at := range []int{0, 10, 40, len(full) / 2, len(full) - 1} {
		_, err := m.writeSnapshot(&failWriter{left: at}, SnapshotOptions{}, 500)
		require.ErrorContains(t, err, "disk full", "failing at %d", at)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "writer goroutines must end")
}

type failWriter struct{ left int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errors.New("disk full")
	}
	w.left -= len(p)
	return len(p), nil
}

func TestSnapshotCompressionLevels(t *testing.T) {
	m := wideModel(t, symbols.Compact, 5000)
	for _, c := range []SnapshotCompression{CompressFastest, CompressDefault, CompressBetter, CompressBest} {
		var buf bytes.Buffer
		_, err := m.WriteSnapshot(&buf, SnapshotOptions{Compression: c})
		require.NoError(t, err)
		got, err := readSnap(buf.Bytes())
		require.NoError(t, err)
		requireSameModel(t, m, got)
	}
	_, err := m.WriteSnapshot(io.Discard, SnapshotOptions{Compression: 9})
	require.ErrorContains(t, err, "unknown snapshot compression 9")
}

func TestSnapshotConcurrentReads(t *testing.T) {
	m := oddValuesModel(t, symbols.Compact)
	data := writeSnap(t, m, 300)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := readSnap(data)
			if err == nil && got.fields[1].Cardinal() != m.fields[1].Cardinal() {
				err = errors.New("different model")
			}
			require.NoError(t, err)
		}()
	}
	wg.Wait()
}

// TestSnapshotGolden reads a snapshot written by format version 1, so a
// change that breaks reading existing files fails here. Regenerate with
// -update-snapshot only when the format version changes.
func TestSnapshotGolden(t *testing.T) {
	m := oddValuesModel(t, symbols.Compact)
	path := filepath.Join("testdata", "snapshot", "v1.model")
	if *updateSnapshot {
		require.NoError(t, os.WriteFile(path, writeSnap(t, m, 400), 0o644))
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	got, err := readSnap(data)
	require.NoError(t, err)
	requireSameModel(t, m, got)
}

// partsOf decomposes a snapshot into the input of FuzzSnapshotParts: the
// raw meta block and each chunk's header fields and raw bytes.
func partsOf(t testing.TB, snap []byte) []byte {
	t.Helper()
	dec, err := zstdDecoder()
	require.NoError(t, err)
	var out []byte
	metaComp := int(binary.LittleEndian.Uint32(snap[16:]))
	meta, err := dec.DecodeAll(snap[snapHeaderSize:snapHeaderSize+metaComp], make([]byte, 0, binary.LittleEndian.Uint32(snap[12:])))
	require.NoError(t, err)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	out = append(out, meta...)
	rest := snap[snapHeaderSize+metaComp : len(snap)-trailerSize]
	for len(rest) > 0 {
		h := rest[:chunkHeaderSize]
		comp := int(binary.LittleEndian.Uint32(h[20:]))
		raw, err := dec.DecodeAll(rest[chunkHeaderSize:chunkHeaderSize+comp], make([]byte, 0, binary.LittleEndian.Uint32(h[16:])))
		require.NoError(t, err)
		out = append(out, h[0])
		out = append(out, h[4:16]...) // ref, first, count
		out = binary.LittleEndian.AppendUint32(out, uint32(len(raw)))
		out = append(out, raw...)
		rest = rest[chunkHeaderSize+comp:]
	}
	return out
}

// craftedFromParts parses FuzzSnapshotParts' input back into a crafted
// snapshot; ok is false when the input is too short to be one.
func craftedFromParts(data []byte) (c crafted, ok bool) {
	if len(data) < 4 {
		return c, false
	}
	n := int(binary.LittleEndian.Uint32(data))
	data = data[4:]
	if n > len(data) {
		return c, false
	}
	c.meta, data = data[:n], data[n:]
	c.trailer = -1
	for len(data) >= 17 {
		ch := craftedChunk{kind: data[0], ref: binary.LittleEndian.Uint32(data[1:]),
			first: binary.LittleEndian.Uint32(data[5:]), count: binary.LittleEndian.Uint32(data[9:])}
		n := int(binary.LittleEndian.Uint32(data[13:]))
		data = data[17:]
		if n > len(data) {
			return c, false
		}
		ch.raw, data = data[:n], data[n:]
		c.chunks = append(c.chunks, ch)
	}
	return c, true
}

// FuzzSnapshotParts fuzzes what lies behind the checksums and the
// compression: the input is a raw meta block and raw chunks, which the
// harness compresses and checksums into a snapshot. Reading it must give
// a corruption or size error or a model that writes back and reads back
// to the same bytes; it must never panic. (FuzzSnapshotOpen in package
// fuzz feeds raw bytes, which rarely get past the checksums.)
func FuzzSnapshotParts(f *testing.F) {
	// Small seeds: the fuzzer mutates and minimises small inputs best.
	f.Add(partsOf(f, writeSnap(f, wideModelUpTo(f, symbols.Compact, 300, 300), 64)))
	f.Add(partsOf(f, writeSnap(f, wideModelUpTo(f, symbols.Bytes, 70, 70), 0)))
	rng := rand.New(rand.NewPCG(9, 9))
	for range 4 {
		m, _ := randomModel(f, rng)
		f.Add(partsOf(f, writeSnap(f, m, 32)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, ok := craftedFromParts(data)
		if !ok {
			return
		}
		snap := c.bytes(t)
		m, err := ReadModel(bytes.NewReader(snap), ReadOptions{MaxBytes: 64 << 20})
		if err != nil {
			require.True(t, errors.Is(err, ErrSnapshotCorrupt) || errors.Is(err, ErrSnapshotTooLarge), "unexpected error: %v", err)
			require.NotContains(t, err.Error(), "internal error")
			return
		}
		again := writeSnap(t, m, 0)
		back, err := readSnap(again)
		require.NoError(t, err, "a model read must write back and read back")
		require.Equal(t, again, writeSnap(t, back, 0))
	})
}
