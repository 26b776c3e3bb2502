// read-qvd.mjs — an independent QVD reader for checking reload/qvd's writer.
//
// Usage: node read-qvd.mjs FILE.qvd...
// Prints one JSON document: {"files": [{"file", "table", "records",
// "recordByteSize", "fields": [{"name", "bitOffset", "bitWidth", "bias",
// "symbols": [{"type", "num", "text"}], "rows": [symbol index or -1]}]}]}.
// Numbers are strings (String(x), "-0" for negative zero) so NaN and the
// infinities survive JSON; "num" is null for text symbols and "text" null
// for bare numbers (types 1 and 2).
//
// It shares no code with the Go package: the header is read with regular
// expressions, records are read as BigInt little-endian integers and each
// field's bits are cut out with BigInt shifts, following the published
// format description (PyQvd's format guide) only.
import { readFileSync } from "node:fs";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function unescapeXml(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

// child returns the text of the first <tag>…</tag> in xml.
function child(xml, tag, required = true) {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!m) {
    if (required) throw new Error(`missing <${tag}>`);
    return null;
  }
  return unescapeXml(m[1]);
}

function int(xml, tag) {
  const s = child(xml, tag).trim();
  if (!/^-?[0-9]+$/.test(s)) throw new Error(`<${tag}> is not an integer: ${s}`);
  return Number(s);
}

function numString(x) {
  return Object.is(x, -0) ? "-0" : String(x);
}

function readQvd(file) {
  const buf = readFileSync(file);
  const nul = buf.indexOf(0);
  if (nul < 2 || buf[nul - 1] !== 0x0a) throw new Error(`${file}: no header terminator`);
  const header = utf8.decode(buf.subarray(0, nul));
  const dataStart = nul + 1;

  const fieldsXml = /<Fields>([\s\S]*)<\/Fields>/.exec(header);
  if (!fieldsXml) throw new Error(`${file}: no <Fields>`);
  // Table-level elements: the header without the fields and the lineage.
  const tableXml = header.replace(fieldsXml[0], "").replace(/<Lineage>[\s\S]*<\/Lineage>/, "");
  const records = int(tableXml, "NoOfRecords");
  const rbs = int(tableXml, "RecordByteSize");
  const symLength = int(tableXml, "Offset");
  const indexStart = dataStart + symLength;
  if (indexStart + records * rbs > buf.length) throw new Error(`${file}: index table truncated`);

  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const fields = [];
  for (const m of fieldsXml[1].matchAll(/<QvdFieldHeader>([\s\S]*?)<\/QvdFieldHeader>/g)) {
    const x = m[1];
    const f = {
      name: child(x, "FieldName"),
      bitOffset: int(x, "BitOffset"),
      bitWidth: int(x, "BitWidth"),
      bias: int(x, "Bias"),
      noOfSymbols: int(x, "NoOfSymbols"),
      offset: int(x, "Offset"),
      length: int(x, "Length"),
      symbols: [],
      rows: [],
    };
    let p = dataStart + f.offset;
    const end = p + f.length;
    const text = () => {
      const z = buf.indexOf(0, p);
      if (z < 0 || z >= end) throw new Error(`${file}: field ${f.name}: unterminated text`);
      const s = utf8.decode(buf.subarray(p, z));
      p = z + 1;
      return s;
    };
    while (p < end) {
      const type = buf[p++];
      let num = null;
      let txt = null;
      if (type === 1 || type === 5) {
        num = numString(view.getInt32(p, true));
        p += 4;
      } else if (type === 2 || type === 6) {
        num = numString(view.getFloat64(p, true));
        p += 8;
      } else if (type !== 4) {
        throw new Error(`${file}: field ${f.name}: unknown symbol type ${type}`);
      }
      if (type >= 4) txt = text();
      f.symbols.push({ type, num, text: txt });
    }
    if (f.symbols.length !== f.noOfSymbols) throw new Error(`${file}: field ${f.name}: symbol count mismatch`);
    fields.push(f);
  }

  for (let r = 0; r < records; r++) {
    let rec = 0n;
    for (let i = rbs - 1; i >= 0; i--) rec = (rec << 8n) | BigInt(buf[indexStart + r * rbs + i]);
    for (const f of fields) {
      let raw = 0;
      if (f.bitWidth > 0) {
        raw = Number((rec >> BigInt(f.bitOffset)) & ((1n << BigInt(f.bitWidth)) - 1n));
      }
      const idx = raw + f.bias;
      f.rows.push(idx < 0 || idx >= f.symbols.length ? -1 : idx);
    }
  }

  return {
    file,
    table: child(tableXml, "TableName", false),
    records,
    recordByteSize: rbs,
    fields: fields.map((f) => ({
      name: f.name,
      bitOffset: f.bitOffset,
      bitWidth: f.bitWidth,
      bias: f.bias,
      symbols: f.symbols,
      rows: f.rows,
    })),
  };
}

const files = process.argv.slice(2).map(readQvd);
process.stdout.write(JSON.stringify({ files }));
