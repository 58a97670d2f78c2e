/**
 * A small parser for the bracket syntax shared by WKT1 and WKT2 (ISO 19162): `KEYWORD[arg, arg, …]` where an
 * argument is a quoted string, a number, a bare word (e.g. `east`) or a nested node. Round brackets are accepted
 * too, as the standard allows.
 */
export interface WktNode {
  keyword: string;
  args: WktArg[];
}
export type WktArg = string | number | WktNode;

export class WktSyntaxError extends Error {}

export function parseWkt(text: string): WktNode {
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const fail = (what: string): never => {
    throw new WktSyntaxError(`${what} at offset ${pos} of the WKT`);
  };

  const parseNode = (): WktNode => {
    skipSpace();
    const start = pos;
    while (pos < text.length && /[A-Za-z0-9_]/.test(text[pos])) pos++;
    const keyword = text.slice(start, pos).toUpperCase();
    if (!keyword) fail('expected a keyword');
    skipSpace();
    const open = text[pos];
    if (open !== '[' && open !== '(') return { keyword, args: [] };
    const close = open === '[' ? ']' : ')';
    pos++;
    const args: WktArg[] = [];
    for (;;) {
      skipSpace();
      const ch = text[pos];
      if (ch === undefined) fail('unexpected end');
      if (ch === close && args.length === 0) break;
      args.push(parseArg());
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === close) break;
      fail(`expected ',' or '${close}'`);
    }
    pos++;
    return { keyword, args };
  };

  const parseArg = (): WktArg => {
    const ch = text[pos];
    if (ch === '"') {
      let out = '';
      pos++;
      for (;;) {
        if (pos >= text.length) fail('unterminated string');
        if (text[pos] === '"') {
          if (text[pos + 1] === '"') {
            out += '"';
            pos += 2;
            continue;
          }
          pos++;
          return out;
        }
        out += text[pos++];
      }
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 64));
    if (num) {
      pos += num[0].length;
      return Number(num[0]);
    }
    // A bare word followed by a bracket is a nested node; otherwise an enumeration value such as `east`.
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos, pos + 128));
    if (!word) fail('unexpected character');
    const after = text.slice(pos + word![0].length).trimStart()[0];
    if (after === '[' || after === '(') return parseNode();
    pos += word![0].length;
    return word![0];
  };

  const root = parseNode();
  skipSpace();
  if (pos !== text.length) fail('trailing text');
  return root;
}

/** Direct children with one of the given keywords. */
export function children(node: WktNode, ...keywords: string[]): WktNode[] {
  return node.args.filter((a): a is WktNode => typeof a === 'object' && keywords.includes(a.keyword));
}

export function child(node: WktNode, ...keywords: string[]): WktNode | undefined {
  return children(node, ...keywords)[0];
}

/** Depth-first search for the first node with one of the keywords. */
export function find(node: WktNode, ...keywords: string[]): WktNode | undefined {
  for (const a of node.args) {
    if (typeof a !== 'object') continue;
    if (keywords.includes(a.keyword)) return a;
    const hit = find(a, ...keywords);
    if (hit) return hit;
  }
  return undefined;
}

export const nameOf = (node: WktNode): string => (typeof node.args[0] === 'string' ? node.args[0] : '');

export const numberArg = (node: WktNode, i: number): number | undefined =>
  typeof node.args[i] === 'number' ? (node.args[i] as number) : undefined;

/** `ID["EPSG", 8801]` (WKT2) or `AUTHORITY["EPSG","8801"]` (WKT1) directly under `node`, as a number. */
export function epsgIdOf(node: WktNode): number | undefined {
  for (const id of children(node, 'ID', 'AUTHORITY')) {
    if (String(id.args[0]).toUpperCase() !== 'EPSG') continue;
    const code = Number(id.args[1]);
    if (Number.isInteger(code)) return code;
  }
  return undefined;
}
