# The lake: one bucket whose prefixes are the zones, and a bucket for Dataflow's templates,
# staging and temporary files.

resource "google_storage_bucket" "lake" {
  name                        = local.lake_bucket
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy
  labels                      = local.labels

  # Ingest moves landing files it has read to archive/; they are kept, but cold.
  lifecycle_rule {
    condition {
      age                   = var.archive_after_days
      matches_prefix        = ["archive/"]
      matches_storage_class = ["STANDARD"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = var.archive_storage_class
    }
  }

  depends_on = [google_project_service.apis]
}

# GCS has no folders: a small README per zone makes the prefixes visible from the first apply.
# Ingest reads landing/ENTITY/*.jsonl and *.json only, so these are never taken for data.
resource "google_storage_bucket_object" "zone_readme" {
  for_each = toset(local.zones)

  bucket       = google_storage_bucket.lake.name
  name         = "${each.key}/README.txt"
  content      = "The ${each.key} zone of the fakelake lake. See ARCHITECTURE.md in the fakelake repository.\n"
  content_type = "text/plain"
}

resource "google_storage_bucket" "dataflow" {
  name                        = local.dataflow_bucket
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy
  labels                      = local.labels

  # Staging jars and temporary files of finished jobs are not needed after a week.
  lifecycle_rule {
    condition {
      age            = 7
      matches_prefix = ["temp/", "staging/", "cloudbuild/"]
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}
