export * from "./traefik-chart";
export * from "./spec";
export * from "./traefik";
export * from "./cert-manager";
export * from "./settings";
