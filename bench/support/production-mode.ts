// Imported first by benches: graphql-js reads NODE_ENV once at load time and, unless it is
// 'production', runs development-only checks (instanceOf by constructor name) on every field.
// Benches measure what production runs.
process.env.NODE_ENV ??= 'production';
