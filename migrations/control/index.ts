import { CreateControlSchema1763700000000 } from './1763700000000-create-control-schema';

/** In order; each class is applied once per control database. */
export const controlMigrations = [CreateControlSchema1763700000000];
