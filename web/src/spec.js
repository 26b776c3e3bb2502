// What a sheet shows: a filter pane, a table and a bar chart, each a list of
// fields and measures. The demo app has a curated sheet; any other app gets
// one from the URL (?filter=F&dim=D&measure=M&bardim=D&barmeasure=M, each
// repeatable) or, failing that, one derived from its field list.

// measure is a labelled measure definition as nebula.js takes it.
export function measure(def, label, decimals) {
  const m = { qDef: { qDef: def, qLabel: label || def } };
  if (decimals !== undefined) {
    m.qDef.qNumFormat = { qType: 'F', qnDec: decimals, qUseThou: 1, qFmt: decimals ? `#,##0.${'0'.repeat(decimals)}` : '#,##0', qDec: '.', qThou: ',' };
    m.qDef.isCustomFormatted = true;
  }
  return m;
}

// bracket quotes a field name for an expression: [name], with "]" doubled.
export function bracket(name) {
  return `[${name.replaceAll(']', ']]')}]`;
}

// demoSpec is the sheet of the demo app (cmd/assoc/demo: US flights 2001).
export const demoSpec = {
  title: 'US flights 2001',
  filters: ['Origin State', 'Month', 'Delay Status'],
  table: {
    title: 'Flights by route',
    dims: ['Origin', 'Destination'],
    measures: [measure('Count(FlightID)', 'Flights', 0), measure('Avg(Delay)', 'Avg delay (min)', 1)],
  },
  bar: {
    title: 'Average arrival delay by origin state',
    dims: ['Origin State'],
    measures: [measure('Avg(Delay)', 'Avg delay (min)', 1)],
  },
};

// specFromQuery reads a sheet from URL parameters; it returns null when the
// URL names no field.
export function specFromQuery(params) {
  const all = (k) => params.getAll(k).map((s) => s.trim()).filter(Boolean);
  const filters = all('filter');
  const dims = all('dim');
  const measures = all('measure').map((m) => measure(m.replace(/^=/, '')));
  const barDims = all('bardim');
  const barMeasures = all('barmeasure').map((m) => measure(m.replace(/^=/, '')));
  if (!filters.length && !dims.length && !measures.length && !barDims.length) {
    return null;
  }
  const first = dims[0] || filters[0] || barDims[0];
  const count = first ? [measure(`Count(${bracket(first)})`, `Count of ${first}`, 0)] : [];
  return {
    title: params.get('title') || '',
    filters: filters.length ? filters : dims.slice(0, 1),
    table: { title: '', dims: dims.length ? dims : filters, measures: measures.length ? measures : count },
    bar: {
      title: '',
      dims: barDims.length ? barDims : (dims.length ? dims.slice(0, 1) : filters.slice(0, 1)),
      measures: barMeasures.length ? barMeasures : (measures.length ? measures.slice(0, 1) : count),
    },
  };
}

// specFromFields derives a sheet from an app's field list (qFieldList.qItems:
// {qName, qCardinal, qTags}): the filter pane gets the fields with the
// fewest distinct values, the table the first fields in load order, and the
// bar chart counts the field with the most values by the filter pane's
// first field.
export function specFromFields(items) {
  const fields = (items || []).filter((f) => f && f.qName && !(f.qTags || []).includes('$hidden') && !(f.qTags || []).includes('$system'));
  if (!fields.length) {
    return null;
  }
  const isKey = (f) => (f.qTags || []).includes('$key');
  const byCard = [...fields].filter((f) => f.qCardinal > 1).sort((a, b) => a.qCardinal - b.qCardinal || a.qName.localeCompare(b.qName));
  const filters = (byCard.length ? byCard : fields).slice(0, 3).map((f) => f.qName);
  const widest = [...fields].sort((a, b) => b.qCardinal - a.qCardinal)[0];
  const counted = widest.qName;
  const tableDims = fields.filter((f) => !isKey(f) && f.qName !== counted).slice(0, 3).map((f) => f.qName);
  const count = measure(`Count(${bracket(counted)})`, `Count of ${counted}`, 0);
  return {
    title: '',
    filters,
    table: { title: '', dims: tableDims.length ? tableDims : [fields[0].qName], measures: [count] },
    bar: { title: '', dims: [filters[0]], measures: [count] },
  };
}
