import { expect } from 'chai';
import fc from 'fast-check';
import { JsonTextError, parseJsonText } from './json-text.js';

function problem(text: string): JsonTextError {
  try {
    parseJsonText(text);
  } catch (err) {
    expect(err).to.be.instanceOf(JsonTextError);
    return err as JsonTextError;
  }
  throw new Error(`accepted ${JSON.stringify(text)}`);
}

describe('strict JSON text', () => {
  it('reads what JSON.parse reads, for any JSON value without repeated properties (fast-check; the seed replays a failure)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : 0);
        expect(parseJsonText(text)).to.deep.equal(JSON.parse(text));
      }),
    );
  });

  it('refuses what JSON.parse refuses, and its message quotes none of the text (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        let parsed = true;
        try {
          JSON.parse(text);
        } catch {
          parsed = false;
        }
        if (parsed) return; // valid JSON (possibly with a repeated name: covered below)
        const err = problem(text);
        expect(err.message).to.match(/^line \d+, column \d+: /);
        expect(err.message).to.not.match(/[\u0000-\u001f\u007f]/);
      }),
    );
  });

  it('names line, column and kind; control characters become code points', () => {
    expect(problem('{"a": 1,\n  "b": }').message).to.equal("line 2, column 8: unexpected character U+007D, expected a value");
    expect(problem('{"a": "x\u0001y"}').message).to.equal('line 1, column 9: control character U+0001 inside a string (write it as an escape)');
    expect(problem('\u0001\u0002abc').message).to.equal('line 1, column 1: unexpected control character U+0001, expected a JSON value');
    expect(problem('').message).to.equal('line 1, column 1: unexpected end of input, expected a JSON value');
    expect(problem('{"k": "s3cr3t" x').message).to.equal("line 1, column 16: unexpected letter or digit, expected ',' or '}'");
    expect(problem('{"k": "s3cr3t" x').message).to.not.include('s3cr3t');
    expect(problem('[1] 2').message).to.equal('line 1, column 5: unexpected letter or digit after the end of the value');
    expect(problem('['.repeat(300)).message).to.match(/nested deeper than 256 levels/);
  });

  it('refuses a property given twice, naming it and where the second one is', () => {
    expect(problem('{"active": 1, "keys": [{"id": 1, "key": "aa",\n "key": "bb"}]}').message).to.equal('line 2, column 2: property "key" of keys[0] is given twice');
    expect(problem('{"a": 1, "a": 2}').message).to.equal('line 1, column 10: property "a" is given twice');
    // A name that could be a secret is not shown.
    expect(problem('{"abcdef012345": 1, "abcdef012345": 2}').message).to.include('property (a name of 12 characters, not shown)');
    const long = 'ab'.repeat(20);
    expect(problem(`{"${long}": 1, "${long}": 2}`).message).to.equal('line 1, column 49: property (a name of 40 characters, not shown) is given twice');
    // Equal after unescaping is equal.
    expect(problem('{"a": 1, "\\u0061": 2}').message).to.match(/property "a" is given twice/);
  });

  it('accepts a leading byte-order mark', () => {
    expect(parseJsonText('\ufeff{"a": [1, 2.5e3, true, null, "x"]}')).to.deep.equal({ a: [1, 2500, true, null, 'x'] });
  });
});
