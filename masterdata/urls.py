from django.urls import path

from masterdata import views

app_name = "masterdata"
urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="products"),
    path("families/", views.FamilyListView.as_view(), name="families"),
    path("sites/", views.SiteListView.as_view(), name="sites"),
    path("channels/", views.ChannelListView.as_view(), name="channels"),
    path("suppliers/", views.SupplierListView.as_view(), name="suppliers"),
    path("resources/", views.ResourceListView.as_view(), name="resources"),
    path("resource-loads/", views.ResourceLoadListView.as_view(), name="resource_loads"),
    path(
        "resource-capacity/", views.ResourceCapacityListView.as_view(), name="resource_capacities"
    ),
    path("supply-terms/", views.SupplyTermListView.as_view(), name="supply_terms"),
]
