/*
 * Turns a JSON.parse failure into "not valid JSON: <what> at position <n>". V8's own message for
 * an unexpected token quotes a slice of the input, which may be a secret, and gives no position;
 * so the position is found by a small syntax scan of our own and only one character is shown.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OBJECT = 1;
const ARRAY = 2;

// Index of the first character where `s` stops being JSON; s.length for a premature end; -1 if valid.
// Iterative, with an explicit stack, so deeply nested garbage cannot overflow the call stack.
export function firstJsonErrorAt(s: string): number {
  const n = s.length;
  const stack: number[] = [];
  let i = 0;
  const ws = () => {
    while (i < n && WS.has(s.charCodeAt(i))) i++;
  };
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
            i += 2;
            while (i < n && /[0-9a-fA-F]/.test(s[i] ?? '')) i++;
            return false;
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          return false;
        }
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (!m) {
      if (s[i] === '-') i++;
      return false;
    }
    i += m[0].length;
    return true;
  };

  let expectValue = true;
  for (;;) {
    if (expectValue) {
      ws();
      if (i >= n) return n;
      const c = s[i];
      if (c === '{' || c === '[') {
        i++;
        ws();
        if (s[i] === (c === '{' ? '}' : ']')) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(c === '{' ? OBJECT : ARRAY);
        if (c === '[') continue;
      } else if (c === '"') {
        if (!string()) return i;
        expectValue = false;
        continue;
      } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        if (!number()) return i;
        expectValue = false;
        continue;
      } else {
        for (const word of ['true', 'false', 'null']) {
          if (c === word[0]) {
            let k = 0;
            while (k < word.length && s[i + k] === word[k]) k++;
            if (k < word.length) return i + k;
            i += k;
            break;
          }
        }
        if (c !== 't' && c !== 'f' && c !== 'n') return i;
        expectValue = false;
        continue;
      }
      // An object member: "key" ws ":" then its value.
      ws();
      if (i >= n) return n;
      if (s[i] !== '"' || !string()) return i;
      ws();
      if (i >= n) return n;
      if (s[i] !== ':') return i;
      i++;
      continue;
    }
    ws();
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? i : -1;
    if (i >= n) return n;
    const c = s[i];
    if (c === ',') {
      i++;
      if (top === ARRAY) {
        expectValue = true;
        continue;
      }
      ws();
      if (i >= n) return n;
      if (s[i] !== '"' || !string()) return i;
      ws();
      if (i >= n) return n;
      if (s[i] !== ':') return i;
      i++;
      expectValue = true;
      continue;
    }
    if ((top === ARRAY && c === ']') || (top === OBJECT && c === '}')) {
      stack.pop();
      i++;
      continue;
    }
    return i;
  }
}

/** The reason for text that JSON.parse rejected; `v8Message` is the thrown error's message. */
export function jsonErrorReason(text: string, v8Message: string): string {
  // V8's messages that carry a position never quote the input, and say more than "unexpected token".
  const positioned = /^([^"]*?)(?: in JSON)? at position (\d+)$/.exec(v8Message);
  if (positioned) return `not valid JSON: ${positioned[1]} at position ${positioned[2]}`;
  const at = firstJsonErrorAt(text);
  if (at < 0 || at >= text.length) return 'not valid JSON: Unexpected end of JSON input';
  const ch = text[at] ?? '';
  const shown = /^[\x21-\x7e]$/.test(ch) ? ch : JSON.stringify(ch);
  return `not valid JSON: Unexpected token ${shown} at position ${at}`;
}
