/**
 * The example configuration: what `mcfpipe init` writes to
 * mcfpipe.config.yaml, and the profile a first run loads when the database
 * has no tracks and there is no configuration file. One user, two tracks
 * and a keyword library that fit the bundled MCF replay, so the first
 * `npm start` scrapes and scores something real.
 */
export const EXAMPLE_CONFIG = `# mcfpipe.config.yaml: settings of \`mcfpipe run\` (npm start) and the profile it loads.
# Flags override what is here; what is left out takes the defaults: see \`mcfpipe run --help\`.
# Reference: runtime/README.md.

run:
  data: .local-data          # the data folder: database, checkpoints, outputs (kept between runs)
  # db_port: 8080            # the DB API's port on 127.0.0.1 (default: a free one)

scrape:
  live: false                # false: the bundled MCF replay (offline); true: MyCareersFuture itself
  # rate: 2                  # requests per second to MCF when live (the polite default)
  max_pages: 3               # listing pages (of 100 jobs) per search term and day
  descriptions: text         # text: store job descriptions (needed to score them); none: do not

replay:
  jobs: 2000                 # jobs in the replay's generated corpus
  seed: 1

# The profile: loaded into the database on the first run, and again whenever
# this file changes. Tracks say what to search for; keywords what makes a job
# a good match. Edit it, or edit the track / keyword / config tables (Google
# Sheets), which the next run keeps unless this file changes.
profile:
  users:
    - id: me
      settings:                                  # the config table: scoring's hard filters
        scoring.salary_floor: 4000               # monthly SGD: a job whose range tops out below it is filtered out
        scoring.experience_years: 8              # your years: a job asking for more is filtered out
        scoring.employment_types: Permanent, Full Time, Contract
      tracks:
        - id: data-engineering
          name: Data engineering
          search_terms: [data engineer, machine learning engineer]
        - id: platform
          name: Platform and DevOps
          search_terms: [devops engineer, platform engineer, site reliability engineer]
          max_pages: 2
      keywords:                                  # library core; kind nice (adds), must (required), avoid (subtracts)
        - { library: core, keyword: Python, weight: 3 }
        - { library: core, keyword: SQL, weight: 2 }
        - { library: core, keyword: AWS, synonyms: [Amazon Web Services], weight: 2 }
        - { library: core, keyword: Docker, weight: 1 }
        - { library: core, keyword: CI/CD, weight: 1 }
        - { library: core, keyword: Linux, weight: 1 }
        - { library: core, keyword: Spark, synonyms: [PySpark], weight: 3, track: data-engineering }
        - { library: core, keyword: Airflow, weight: 2, track: data-engineering }
        - { library: core, keyword: Kafka, weight: 2, track: data-engineering }
        - { library: core, keyword: dbt, weight: 2, track: data-engineering }
        - { library: core, keyword: PostgreSQL, synonyms: [Postgres], weight: 1, track: data-engineering }
        - { library: core, keyword: Machine Learning, weight: 1, track: data-engineering }
        - { library: core, keyword: Kubernetes, synonyms: [k8s], weight: 3, track: platform }
        - { library: core, keyword: Terraform, weight: 3, track: platform }
        - { library: core, keyword: monitoring, weight: 1, track: platform }
        - { library: core, keyword: Internship, kind: avoid, weight: 5 }
        - { library: core, keyword: Java, kind: avoid, weight: 1 }
`;
