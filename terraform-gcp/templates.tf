# Flex templates: Cloud Build packages the pipelines from this repository, builds one launcher
# image per pipeline into Artifact Registry and writes each template's spec file to
# gs://DATAFLOW_BUCKET/templates/NAME.json (templates/cloudbuild.yaml). Terraform starts the build
# whenever the sources change; it needs the gcloud CLI on the machine that runs terraform apply.

resource "google_artifact_registry_repository" "templates" {
  repository_id = "${local.prefix}-templates"
  location      = var.region
  format        = "DOCKER"
  description   = "Launcher images of the fakelake Dataflow flex templates."
  labels        = local.labels

  # Each source change pushes new images; old ones are only kept while they might be running.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 3
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "604800s"
    }
  }

  depends_on = [google_project_service.apis]
}

locals {
  repository_root = abspath("${path.module}/..")

  # Everything the template images are built from; target/ folders are build output.
  template_sources = sort([
    for f in fileset(local.repository_root, "{pom.xml,.mvn/**,{schemas,transforms,pipelines,templates}/pom.xml,{schemas,transforms,pipelines,templates}/src/**,templates/{Dockerfile,cloudbuild.yaml},templates/metadata/**}") : f
    if !strcontains(f, "/target/")
  ])
  template_sources_hash = sha1(join("", [for f in local.template_sources : filesha1("${local.repository_root}/${f}")]))
  template_image_tag    = substr(local.template_sources_hash, 0, 12)
  image_repository      = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.templates.repository_id}"
}

resource "terraform_data" "flex_templates" {
  triggers_replace = [local.template_sources_hash, local.image_repository, local.templates_prefix]

  provisioner "local-exec" {
    working_dir = local.repository_root
    command     = <<-EOT
      gcloud builds submit . \
        --project='${var.project_id}' \
        --region='${var.region}' \
        --config=templates/cloudbuild.yaml \
        --service-account='${google_service_account.job["build"].name}' \
        --gcs-source-staging-dir='gs://${google_storage_bucket.dataflow.name}/cloudbuild/source' \
        --substitutions='_IMAGE_REPOSITORY=${local.image_repository},_TEMPLATES=${local.templates_prefix},_TAG=${local.template_image_tag}'
    EOT
  }

  depends_on = [
    google_artifact_registry_repository_iam_member.build_writer,
    google_storage_bucket_iam_member.build_dataflow_bucket,
    google_project_iam_member.job,
  ]
}
