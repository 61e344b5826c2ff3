from django.urls import path

from datainputs import views

app_name = "datainputs"
urlpatterns = [
    path("", views.DataInputsHomeView.as_view(), name="home"),
    path("sales-history/", views.SalesHistoryListView.as_view(), name="sales_history"),
    path("open-orders/", views.OpenOrderListView.as_view(), name="open_orders"),
    path("inventory/", views.InventoryListView.as_view(), name="inventory_on_hand"),
    path("receipts/", views.OpenReceiptListView.as_view(), name="open_receipts"),
    path("upload/<str:name>/", views.UploadView.as_view(), name="upload"),
    path("template/<str:name>.<str:fmt>", views.TemplateDownloadView.as_view(), name="template"),
    path("batches/", views.ImportBatchListView.as_view(), name="batches"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="batch"),
]
