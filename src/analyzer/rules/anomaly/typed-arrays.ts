/** `array` copied into a longer one of its kind (the arrays by slot grow with the keys). */
export function grown<A extends Int32Array | Float64Array>(array: A, length: number): A {
  const copy = new (array.constructor as new (length: number) => A)(length);
  copy.set(array);
  return copy;
}
