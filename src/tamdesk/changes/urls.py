"""Pages of the changes domain under ``/changes/``; names ``changes:<model>_<action>``."""

from django.urls import path

from tamdesk.changes.views import board, changes, edit, queues, status_update, tasks

app_name = "changes"
urlpatterns = [
    path("", changes.ChangeList.as_view(), name="change_list"),
    path("board/", board.ChangeBoard.as_view(), name="board"),
    path("new/", changes.ChangeCreate.as_view(), name="change_create"),
    path(
        "new/from-playbook/",
        changes.ChangeCreateFromPlaybook.as_view(),
        name="change_create_from_playbook",
    ),
    path("<int:pk>/", changes.ChangeDetail.as_view(), name="change_detail"),
    path("<int:pk>/edit/", edit.ChangeUpdate.as_view(), name="change_update"),
    path("<int:pk>/transition/", changes.ChangeTransition.as_view(), name="change_transition"),
    path("<int:pk>/status-update/", status_update.StatusUpdate.as_view(), name="status_update"),
    path("<int:pk>/comments/new/", changes.CommentCreate.as_view(), name="comment_create"),
    path("<int:pk>/tasks/new/", tasks.TaskCreate.as_view(), name="task_create"),
    path("<int:pk>/dependencies/new/", tasks.DependencyCreate.as_view(), name="dependency_create"),
    path(
        "dependencies/<int:pk>/delete/",
        tasks.DependencyDelete.as_view(),
        name="dependency_delete",
    ),
    path("tasks/<int:pk>/edit/", edit.TaskUpdate.as_view(), name="task_update"),
    path(
        "tasks/<int:pk>/<str:action>/",
        tasks.TaskAction.as_view(),
        name="task_action",
    ),
    path("queues/", queues.DepartmentQueueIndex.as_view(), name="department_queue_index"),
    path("queues/<int:pk>/", queues.DepartmentQueue.as_view(), name="department_queue"),
]
