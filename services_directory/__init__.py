"""The service directory: Open Referral UK shaped data, seed, import/export, search and API.

Public entry points:
    services_directory.search.search_services / count_services / get_service
    services_directory.api.bp               (Flask blueprint, /api)
    services_directory.importer.import_records, services_directory.seed.seed
"""
