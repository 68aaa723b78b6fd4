// The mesh model: one reading of a rendered unit, with Istio's host, visibility and DestinationRule rules.
export * from './hosts.ts';
export * from './visibility.ts';
export * from './objects.ts';
export * from './duration.ts';
export * from './destination-rules.ts';
export * from './model.ts';
