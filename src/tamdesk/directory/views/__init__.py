"""Pages of the directory, one module per topic. The generic list/detail/create/update/delete
machinery is ``tamdesk.core.ui``; these modules say which model, filters, forms and services."""
