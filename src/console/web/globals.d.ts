/** uPlot, loaded by index.html as a classic script (vendor/uPlot.iife.min.js): a global, maybe absent. */
declare global {
  // eslint-disable-next-line no-var
  var uPlot: typeof import('uplot').default | undefined;
}
export {};
