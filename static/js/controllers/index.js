// Every Stimulus controller of the console, by identifier.
export const controllers = {};
