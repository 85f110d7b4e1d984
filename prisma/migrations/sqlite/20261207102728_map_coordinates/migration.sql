-- AlterTable
ALTER TABLE "Household" ADD COLUMN "latitude" REAL;
ALTER TABLE "Household" ADD COLUMN "longitude" REAL;

-- AlterTable
ALTER TABLE "Region" ADD COLUMN "latitude" REAL;
ALTER TABLE "Region" ADD COLUMN "longitude" REAL;
