/** Terraform plans as planned state: read a `terraform show -json` plan, map it to ARM changes. */
export { loadTerraformPlan, parseTerraformPlan, type TerraformPlan, type TerraformResourceChange } from './plan-file.js';
export {
  mapTerraformPlan,
  plannedChanges,
  type MapOptions,
  type MappingProblem,
  type TerraformChange,
  type TerraformMapping,
} from './changes.js';
export { merge } from './merge.js';
export { FAMILIES, TABLE, table, type Table } from './mappings/index.js';
