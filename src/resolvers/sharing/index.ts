/** Every resolver class of schedule sharing (sharing side and peer API), for src/resolvers/index.ts. */
export const SHARING_RESOLVERS = [] as const;
