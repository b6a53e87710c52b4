import type { PropertyDefinition } from 'loopback-connector';
import { storedPath } from '../../src/model-info';
import { modelInfo } from './fixtures';

const fieldOf = (def: PropertyDefinition) =>
  storedPath(modelInfo('Shop', { id: { type: String, id: true }, label: def }), 'label').field;

describe('the stored field of a property', () => {
  it('is named by mongodb.fieldName, field, columnName or column', () => {
    expect(fieldOf({ type: String })).toBe('label');
    expect(fieldOf({ type: String, mongodb: { fieldName: 'a' } })).toBe('a');
    expect(fieldOf({ type: String, mongodb: { field: 'b' } })).toBe('b');
    expect(fieldOf({ type: String, mongodb: { columnName: 'c' } })).toBe('c');
    expect(fieldOf({ type: String, mongodb: { column: 'd' } })).toBe('d');
  });

  it("also by juggler's columnName or column beside the type, as the official reads them", () => {
    expect(fieldOf({ type: String, columnName: 'e' })).toBe('e');
    expect(fieldOf({ type: String, column: 'f' })).toBe('f');
  });

  it("follows the official's precedence, skipping empty names", () => {
    const all = { fieldName: 'a', field: 'b', columnName: 'c', column: 'd' };
    expect(fieldOf({ type: String, mongodb: all, columnName: 'e', column: 'f' })).toBe('a');
    expect(fieldOf({ type: String, mongodb: { ...all, fieldName: '', field: undefined } })).toBe(
      'c',
    );
    expect(fieldOf({ type: String, mongodb: { column: 'd' }, columnName: 'e' })).toBe('d');
    expect(fieldOf({ type: String, columnName: 'e', column: 'f' })).toBe('e');
  });

  it('maps stored fields back to the property for results', () => {
    const info = modelInfo('Shop', { label: { type: String, mongodb: { column: 'lbl' } } });
    expect(info.propertyByField.get('lbl')?.name).toBe('label');
  });
});
