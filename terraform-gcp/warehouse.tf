# The warehouse: BigQuery datasets of the pipelines (silver, gold, ops) and of Dataform.

resource "google_bigquery_dataset" "pipeline" {
  for_each = local.pipeline_datasets

  dataset_id                 = each.key
  location                   = var.bigquery_location
  description                = each.value
  delete_contents_on_destroy = var.force_destroy
  labels                     = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_dataset" "dataform" {
  for_each = local.dataform_datasets

  dataset_id                 = each.key
  location                   = var.bigquery_location
  description                = each.value
  delete_contents_on_destroy = var.force_destroy
  labels                     = local.labels

  depends_on = [google_project_service.apis]
}
