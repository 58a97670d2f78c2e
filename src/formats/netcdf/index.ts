/** netCDF classic (64-bit offset, CDF-2) results with CF-1.8 metadata, readable by xarray and GDAL. */
export { createNetcdfWriter, type NetcdfWriterOptions } from './netcdf-writer.ts';
