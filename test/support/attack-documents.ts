/**
 * Documents that cost their server exponentially when a check walks every fragment spread again:
 * fragment Fi spreads F(i+1) `fanOut` times, so the expanded query holds fanOut^depth selections.
 */
export function fragmentChain(depth: number, fanOut = 10, leaf = '__typename'): string {
  const fragments = Array.from({ length: depth }, (_, i) =>
    i === depth - 1 ? `fragment F${i} on Query{${leaf}}` : `fragment F${i} on Query{${Array.from({ length: fanOut }, () => `...F${i + 1}`).join(' ')}}`);
  return `query{...F0} ${fragments.join(' ')}`;
}

/** `count` brace pairs nested in one another: deep enough to exhaust a recursive parser's stack. */
export function nestedBraces(count: number): string {
  return `{ a ${'{ a '.repeat(count)}${'} '.repeat(count)}}`;
}
