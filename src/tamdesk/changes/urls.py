"""Pages of the changes domain under ``/changes/``; names ``changes:<model>_<action>``."""

from django.urls import path

from tamdesk.changes.views import changes, queues, tasks

app_name = "changes"
urlpatterns = [
    path("", changes.ChangeList.as_view(), name="change_list"),
    path("new/", changes.ChangeCreate.as_view(), name="change_create"),
    path(
        "new/from-playbook/",
        changes.ChangeCreateFromPlaybook.as_view(),
        name="change_create_from_playbook",
    ),
    path("<int:pk>/", changes.ChangeDetail.as_view(), name="change_detail"),
    path("<int:pk>/transition/", changes.ChangeTransition.as_view(), name="change_transition"),
    path("<int:pk>/comments/new/", changes.CommentCreate.as_view(), name="comment_create"),
    path("<int:pk>/tasks/new/", tasks.TaskCreate.as_view(), name="task_create"),
    path("<int:pk>/dependencies/new/", tasks.DependencyCreate.as_view(), name="dependency_create"),
    path(
        "dependencies/<int:pk>/delete/",
        tasks.DependencyDelete.as_view(),
        name="dependency_delete",
    ),
    path(
        "tasks/<int:pk>/<str:action>/",
        tasks.TaskAction.as_view(),
        name="task_action",
    ),
    path("queues/", queues.DepartmentQueueIndex.as_view(), name="department_queue_index"),
    path("queues/<int:pk>/", queues.DepartmentQueue.as_view(), name="department_queue"),
]
