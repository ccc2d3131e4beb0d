/**
 * Emails render with React's production build, as the app that sends them would: unless NODE_ENV
 * is set, this sets it to `production` before React is first loaded. The development build gives
 * the same markup, only several times slower (prop validation, component stacks), and a plan
 * renders every recipient's email. Imported first by the modules that load React.
 */
process.env.NODE_ENV ??= 'production';
export {};
